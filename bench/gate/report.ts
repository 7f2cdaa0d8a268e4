// The bench's printed tables (pure text).
import { describeProportion, type Proportion } from '../../common/gate/wilson';
import { CONDITION_LABEL, type Condition } from './schedule';
import { checkTargets, type ConditionTally } from './tally';

const prop = (p: Proportion | null): string => (p ? describeProportion(p) : '-');
const short = (p: Proportion | null): string => (p ? `${p.k}/${p.n}` : '-');

export function formatTallies(
  title: string,
  tallies: readonly ConditionTally[],
  planted?: Partial<Record<Condition, number | null>>,
): string {
  const lines = [title];
  for (const t of tallies) {
    const added = planted?.[t.condition];
    lines.push(
      `  ${CONDITION_LABEL[t.condition].padEnd(10)} trials ${t.trials}: fail ${t.fail}, warn ${t.warn}, pass ${t.pass}; ` +
        `median measured p95 ratio ${t.medianRatio === null ? '-' : t.medianRatio.toFixed(3)}` +
        (added === undefined
          ? ''
          : `; cost the shop added: ${added === null ? '-' : `${added.toFixed(1)}% of the baseline's time per request`}`),
      `    fail-or-warn ${prop(t.flagged)}`,
      `    fail         ${prop(t.failed)}`,
      `    quiet: fail-or-warn ${short(t.quiet.flagged)}, fail ${short(t.quiet.failed)}; ` +
        `busy: fail-or-warn ${short(t.busy.flagged)}, fail ${short(t.busy.failed)}; ` +
        `whole mix alone: fail-or-warn ${short(t.mixOnly.flagged)}, fail ${short(t.mixOnly.failed)}`,
    );
  }
  return lines.join('\n');
}

export function formatTargets(tallies: readonly ConditionTally[], design = 'interleaved'): string {
  const lines = [`Targets (${design} design):`];
  for (const c of checkTargets(tallies))
    lines.push(`  ${c.met === null ? 'NO DATA' : c.met ? 'MET    ' : 'MISSED '} ${c.text}: ${c.measured}`);
  return lines.join('\n');
}
