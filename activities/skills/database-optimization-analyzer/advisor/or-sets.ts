// OR over different columns (`a = $1 OR b = $2`): PostgreSQL serves it through a BitmapOr only when
// every branch has an index; one index alone gives nothing. The candidates for such a group are a
// set (one index per branch, each branch's own best key), costed and chosen as a set (or-set-choice.ts).
import { candidateKey, coveredBy, type Candidate } from '../../../postgres/index-model';
import { eqKeysBySelectivity } from './eq-keys';
import type { AdvisorOptions } from './options';
import type { Access, OrBranch } from './statement';

export interface OrSet {
  /** Set key: its members' candidate keys (sorted, joined by " + "). */
  key: string;
  /** The new indexes, one per branch that no existing index serves (branches with the same key share one). */
  members: Candidate[];
  /** Existing indexes that serve the other branches. */
  existing: string[];
  /** Indexes proposed already (from the heavier statements) that serve other branches (the tail's sets). */
  proposed?: string[];
}

/** A branch's own best key: its equality columns, most selective first, then one range column. */
function branchKey(a: Access, b: OrBranch, maxKeyColumns: number): Candidate | null {
  const t = a.table;
  const eq = eqKeysBySelectivity(t, b.eq).slice(0, maxKeyColumns);
  const keys = eq.length < maxKeyColumns && b.range.length > 0 ? [...eq, { name: b.range[0] }] : eq;
  if (keys.length === 0) return null;
  return { schema: t.schema, table: t.name, keys, eqCount: eq.length, include: [] };
}

/** The sets for the access's OR groups; a group whose every branch an existing index already serves has no members. */
export function orSetsFor(a: Access, opts: Pick<AdvisorOptions, 'maxKeyColumns'>): OrSet[] {
  const out: OrSet[] = [];
  for (const group of a.or ?? []) {
    const members = new Map<string, Candidate>();
    const existing: string[] = [];
    let complete = true;
    for (const b of group) {
      const c = branchKey(a, b, opts.maxKeyColumns);
      if (!c) {
        complete = false;
        break;
      }
      const covering = coveredBy(c, a.table.indexes);
      if (covering) {
        if (!existing.includes(covering)) existing.push(covering);
      } else members.set(candidateKey(c), c);
    }
    if (!complete) continue;
    const key = members.size > 0 ? [...members.keys()].sort().join(' + ') : `served by ${existing.join(' + ')}`;
    if (!out.some((s) => s.key === key)) out.push({ key, members: [...members.values()], existing });
  }
  return out;
}

/** The evidence line of a set's member: what it serves the BitmapOr with. */
export function orSetNote(set: Pick<OrSet, 'members' | 'existing' | 'proposed'>, member: Candidate): string {
  const me = candidateKey(member);
  const partners = [
    ...[...set.members.map((m) => candidateKey(m)), ...(set.proposed ?? [])].filter((k) => k !== me).map((k) => `the proposed index ${k}`),
    ...set.existing.map((n) => `the existing index ${n}`),
  ];
  const with_ = partners.length > 0 ? partners.join(' and ') : 'itself (its branches share its key)';
  return (
    `serves a BitmapOr with ${with_} for the statements whose WHERE is an OR over different columns: ` +
    'every branch needs its own index, so the set was costed with all of them in place and chosen as a set'
  );
}
