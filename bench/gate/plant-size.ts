// Sizing the plant on what the client sees (pure). A cost of x% of the shop's time per request does
// not move the client's p95 by x%: the shop's thread is not the only thing a request waits for
// (measured: 10.2% of the time per request moved the p95 by 6.9%). The gate is asked to find a 10%
// slower p95, so each arm's cost is sized with the gain measured so far, in the same state (quiet or
// busy) and for the same arm: the log p95 ratio a pair read per unit of the cost share the shop
// reported adding, fitted through the origin over every earlier pair of that arm, with a prior of one
// set's weight at gain 1 (the first sets plant x% of the time per request, as before, and so
// undersize). Per arm, because the response is not linear: pooled over the arms, the fit followed the
// 20% plant and the 10% one read 1.03-1.08 on the busy host.
import { PLANTED_PCT, type Arm, type BlockRecord } from './schedule';

export interface GainSample {
  busy: boolean;
  arm: Arm;
  share: number; // the cost the shop added, as a share of the baseline's time per request
  logRatio: number; // log(p95 of the planted block / p95 of its A block)
}

export const PRIOR_GAIN = 1;
/** The prior's weight for an arm: the sum of squared shares of one set's samples of it (`perSet` pairs or windows). */
export const priorWeight = (arm: Arm, perSet: number): number => perSet * (PLANTED_PCT[arm] / 100) ** 2;
export const GAIN_BOUNDS: [number, number] = [0.3, 2];

/** The gain for an arm in a state: least squares through the origin over its samples and the prior, within GAIN_BOUNDS. */
export function plantGain(samples: readonly GainSample[], busy: boolean, arm: Arm, perSet: number): number {
  const w = priorWeight(arm, perSet);
  if (w === 0) return PRIOR_GAIN; // nothing planted
  let sxy = PRIOR_GAIN * w;
  let sxx = w;
  for (const s of samples) {
    if (s.busy !== busy || s.arm !== arm || !(s.share > 0) || !Number.isFinite(s.logRatio)) continue;
    sxy += s.share * s.logRatio;
    sxx += s.share * s.share;
  }
  return Math.min(GAIN_BOUNDS[1], Math.max(GAIN_BOUNDS[0], sxy / sxx));
}

/** A set's planted blocks as samples, each with the A block it was paired with. */
export function gainSamples(blocks: readonly BlockRecord[], pairOf: (b: BlockRecord) => BlockRecord | null): GainSample[] {
  const out: GainSample[] = [];
  for (const b of blocks) {
    if (PLANTED_PCT[b.arm] === 0 || b.addedPct === null) continue;
    const a = pairOf(b);
    if (a && a.p95Ms > 0 && b.p95Ms > 0)
      out.push({ busy: b.busy, arm: b.arm, share: b.addedPct / 100, logRatio: Math.log(b.p95Ms / a.p95Ms) });
  }
  return out;
}

/** The alternating design's planted windows as samples: the window's whole-mix estimate against the share the shop added. */
export function gainSamplesOfWindows(
  windows: readonly { busy: boolean; condition: Arm; addedPct: number | null }[],
  trials: readonly { ratio: number | null }[],
): GainSample[] {
  const out: GainSample[] = [];
  windows.forEach((w, i) => {
    const ratio = trials[i]?.ratio ?? null;
    if (w.addedPct !== null && w.addedPct > 0 && ratio !== null && ratio > 0)
      out.push({ busy: w.busy, arm: w.condition, share: w.addedPct / 100, logRatio: Math.log(ratio) });
  });
  return out;
}

/** The gains a set's plants are sized with, per arm (1 for the arms without a plant). */
export function gainsFor(samples: readonly GainSample[], busy: boolean, perSet: number): Record<Arm, number> {
  const out = {} as Record<Arm, number>;
  for (const arm of Object.keys(PLANTED_PCT) as Arm[]) out[arm] = plantGain(samples, busy, arm, perSet);
  return out;
}

/** A set's gains, as recorded and printed. */
export interface SetGains {
  set: number;
  busy: boolean;
  gains: Record<Arm, number>;
}

export const describeGains = (g: Record<Arm, number>): string =>
  `plant gains p5 ${g.p5.toFixed(2)}, p10 ${g.p10.toFixed(2)}, p20 ${g.p20.toFixed(2)}`;

/** The last quiet and busy sets' gains, for the report. */
export function gainLine(gains: readonly SetGains[]): string {
  const last = (busy: boolean) => {
    const g = gains.filter((x) => x.busy === busy).at(-1);
    return g ? describeGains(g.gains).replace('plant gains ', '') : '-';
  };
  return `Plant gains (log p95 ratio per unit of cost share, fitted per arm on the earlier sets) at the last set: quiet: ${last(false)}; busy: ${last(true)}`;
}
