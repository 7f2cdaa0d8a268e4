// Wilson's score interval for a proportion (a detection rate over trials): honest near 0 and 1,
// where the normal approximation gives intervals outside [0, 1]. Pure.

export interface Proportion {
  k: number;
  n: number;
  rate: number;
  low: number;
  high: number;
}

export function wilsonInterval(k: number, n: number, z = 1.959964): Proportion {
  if (!(n > 0) || k < 0 || k > n) throw new RangeError(`wilsonInterval: need 0 <= k <= n and n > 0 (got k=${k}, n=${n})`);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { k, n, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** "38/40 = 95.0% (95% CI 83.5% to 98.6%)" */
export function describeProportion(p: Proportion): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  return `${p.k}/${p.n} = ${pct(p.rate)} (95% CI ${pct(p.low)} to ${pct(p.high)})`;
}
