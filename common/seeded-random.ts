// Deterministic pseudo-random numbers (mulberry32): the same seed gives the same sequence. Used where
// two runs must draw the same values (the halves of an attribution pass, a fuzz corpus, a bench).

/** Uniform in [0, 1). */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
