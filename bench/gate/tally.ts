// Verdicts into rates (pure): per condition, how many trials failed, warned, passed; the detection
// rate (fail or warn) and the fail rate with Wilson intervals, split quiet / busy; the median measured
// ratio; and the targets as MET / MISSED.
import type { GateVerdict } from '../../common/gate/types';
import { wilsonInterval, type Proportion } from '../../common/gate/wilson';
import type { Condition } from './schedule';

export interface Trial {
  set: number;
  condition: Condition;
  busy: boolean;
  ratio: number | null; // the estimate (null: no interval could be made)
  low: number | null;
  high: number | null;
  verdict: GateVerdict; // the gate's: the whole mix's and the endpoints', the worse
  mixVerdict: GateVerdict; // the whole mix's p95 ratio alone
  endpointsFlagged?: string[]; // endpoints that warned or failed
}

export interface ConditionTally {
  condition: Condition;
  trials: number;
  fail: number;
  warn: number;
  pass: number;
  flagged: Proportion | null; // fail or warn
  failed: Proportion | null;
  quiet: { trials: number; flagged: Proportion | null; failed: Proportion | null };
  busy: { trials: number; flagged: Proportion | null; failed: Proportion | null };
  mixOnly: { flagged: Proportion | null; failed: Proportion | null }; // the whole mix's ratio without the endpoints'
  medianRatio: number | null;
}

export function median(xs: readonly number[]): number | null {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const rate = (k: number, n: number): Proportion | null => (n > 0 ? wilsonInterval(k, n) : null);

function rates(trials: readonly Trial[]): { trials: number; flagged: Proportion | null; failed: Proportion | null } {
  const fail = trials.filter((t) => t.verdict === 'fail').length;
  const flagged = trials.filter((t) => t.verdict !== 'pass').length;
  return { trials: trials.length, flagged: rate(flagged, trials.length), failed: rate(fail, trials.length) };
}

export function tallyCondition(trials: readonly Trial[], condition: Condition): ConditionTally {
  const mine = trials.filter((t) => t.condition === condition);
  const count = (v: GateVerdict): number => mine.filter((t) => t.verdict === v).length;
  const all = rates(mine);
  return {
    condition,
    trials: mine.length,
    fail: count('fail'),
    warn: count('warn'),
    pass: count('pass'),
    flagged: all.flagged,
    failed: all.failed,
    quiet: rates(mine.filter((t) => !t.busy)),
    busy: rates(mine.filter((t) => t.busy)),
    mixOnly: rates(mine.map((t) => ({ ...t, verdict: t.mixVerdict }))),
    medianRatio: median(mine.flatMap((t) => (t.ratio === null ? [] : [t.ratio]))),
  };
}

export interface TargetCheck {
  text: string;
  met: boolean | null; // null: no trials
  measured: string;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The targets: fail-or-warn in >= 95% of trials at 10% and 20%; fail in <= 5% with nothing planted. */
export function checkTargets(tallies: readonly ConditionTally[]): TargetCheck[] {
  const of = (c: Condition): ConditionTally | undefined => tallies.find((t) => t.condition === c);
  const out: TargetCheck[] = [];
  for (const c of ['p10', 'p20'] as const) {
    const f = of(c)?.flagged ?? null;
    out.push({
      text: `fail-or-warn >= 95% at ${c.slice(1)}% planted`,
      met: f ? f.rate >= 0.95 : null,
      measured: f ? pct(f.rate) : 'no trials',
    });
  }
  const n = of('none')?.failed ?? null;
  out.push({ text: 'fail <= 5% with nothing planted', met: n ? n.rate <= 0.05 : null, measured: n ? pct(n.rate) : 'no trials' });
  return out;
}
