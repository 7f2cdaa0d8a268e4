// Near ties between candidates (pure). Window time saved is estimated from plan costs, and two
// candidates that serve the same statements often save within a few percent of each other: the extra
// key of (tenant_id, status, created_at) over (tenant_id, status) costs almost nothing in those terms
// when each (tenant_id, status) has a handful of rows. What the extra key removes is then counted
// instead: a Sort the scan no longer needs before the statement's real LIMIT (the scan stops after the
// rows a call returns), or a heap fetch (an index-only scan). Without such a difference the smaller
// index wins. The rule is documented in README.md ("Near ties between candidates").
import { walkPlan, type PlanNode } from '../../../postgres/plan-walk';

/** What a plan with a candidate index does for one statement (its generic plan, at the real LIMIT). */
export interface PlanTraits {
  /**
   * Rows per call of the statement's real LIMIT when a Limit in the plan reads its input in order without
   * a Sort and stops before the rows that input would produce; null otherwise.
   */
  stopsAtLimit: number | null;
  /** The candidate's index is read by an Index Only Scan: no heap fetch. */
  indexOnly: boolean;
}

/** Savings within this fraction of the best one are a tie. */
export const DEFAULT_TIE_MARGIN = 0.02;

const SORTS = new Set(['Sort', 'Incremental Sort']);

function hasSort(node: PlanNode): boolean {
  let found = false;
  walkPlan(node, (n) => {
    if (SORTS.has(n['Node Type'])) found = true;
  });
  return found;
}

/**
 * The traits of `root` (planned with the hypothetical index `indexName`; `searched`: its key columns other than the ORDER BY's)
 * for a statement whose calls return `rowsPerCall` rows. The root Limit of `LIMIT $n` is read at the real
 * LIMIT: rowsPerCall rounded up (calls that return fewer rows than n ran out of input; unknown: not counted);
 * a nested Limit at its own planned rows (limit-binding.ts writes the real rows in). An index-only scan
 * counts only when the `searched` columns are all in its Index Cond: a key column that neither orders nor
 * searches only covers the select list, an INCLUDE column in effect, held to includeMinExtraGain like one.
 */
export function planTraits(root: PlanNode, indexName: string, rowsPerCall: number | null, searched: string[]): PlanTraits {
  let indexOnly = false;
  walkPlan(root, (node) => {
    if (node['Index Name'] === indexName && node['Node Type'] === 'Index Only Scan') indexOnly ||= searchesAll(node, searched);
  });
  const stops = stopsAtLimit(root, rowsPerCall);
  if (stops === null) return indexOnly ? INDEX_ONLY : PLAIN; // shared: one per candidate and statement adds up
  return { stopsAtLimit: stops, indexOnly };
}

/** The real LIMIT at which the plan's first Limit without a Sort under it stops before its input's rows, else null. */
export function stopsAtLimit(root: PlanNode, rowsPerCall: number | null): number | null {
  let stops: number | null = null;
  walkPlan(root, (node) => {
    if (node['Node Type'] !== 'Limit' || stops !== null) return;
    const input = (node.Plans ?? []).find((c) => c['Parent Relationship'] === 'Outer') ?? node.Plans?.[0];
    if (!input || hasSort(input)) return;
    const limit = node === root ? rowsPerCall : Number(node['Plan Rows']);
    if (limit === null || !Number.isFinite(limit)) return;
    const n = Math.max(1, Math.ceil(limit));
    if (n < Number(input['Plan Rows'])) stops = n;
  });
  return stops;
}

/** Every key column appears in the scan's Index Cond (as a whole identifier, qualified or quoted or not). */
function searchesAll(node: PlanNode, keyNames: string[]): boolean {
  const cond = typeof node['Index Cond'] === 'string' ? node['Index Cond'] : '';
  return keyNames.every((name) => {
    const id = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\w"])("${id}"|${id})($|[^\\w"])`).test(cond);
  });
}

const PLAIN: PlanTraits = Object.freeze({ stopsAtLimit: null, indexOnly: false });
const INDEX_ONLY: PlanTraits = Object.freeze({ stopsAtLimit: null, indexOnly: true });

/** A candidate in a tie: its net gain, its size (key + INCLUDE columns), and its plans' traits by statement. */
export interface TieSide {
  key: string;
  net: number;
  size: number;
  traits: Map<number, PlanTraits | undefined>;
}

/** What `a` removes that `b` keeps, on the statements both serve and were planned with: window time (ms) and the statements. */
export interface Removal {
  ms: number;
  sortAt: { idx: number; limit: number }[];
  heap: number[];
}

export function removedOver(a: TieSide, b: TieSide, stmtMs: (idx: number) => number): Removal {
  const out: Removal = { ms: 0, sortAt: [], heap: [] };
  for (const [idx, ta] of a.traits) {
    const tb = b.traits.get(idx);
    if (!ta || !tb) continue; // not served by both, or not planned with one of them (counted optimistically)
    const sort = ta.stopsAtLimit !== null && tb.stopsAtLimit === null;
    const heap = ta.indexOnly && !tb.indexOnly;
    if (sort) out.sortAt.push({ idx, limit: ta.stopsAtLimit! });
    if (heap) out.heap.push(idx);
    if (sort || heap) out.ms += stmtMs(idx);
  }
  return out;
}

/** The sides whose net gain is within `margin` of the best one (the best first). */
export function tiedWith<T extends Pick<TieSide, 'net'>>(sides: T[], margin: number): T[] {
  if (!(margin >= 0 && margin < 1))
    throw new Error(`tieMargin must be a fraction in [0, 1), got ${margin}: e.g. 0.02 for savings within 2%`);
  if (sides.length === 0) return [];
  const best = Math.max(...sides.map((s) => s.net));
  const floor = best > 0 ? best * (1 - margin) : best;
  return sides.filter((s) => s.net >= floor).sort((x, y) => y.net - x.net);
}

/**
 * Whether `x` is preferred to `y` in a tie: the one that removes more (window time of the statements where
 * it removes a sort at the LIMIT or a heap fetch the other keeps), else the smaller index, else the larger
 * net gain, else the key (for a stable answer).
 */
export function preferred(x: TieSide, y: TieSide, stmtMs: (idx: number) => number): boolean {
  const rx = removedOver(x, y, stmtMs).ms;
  const ry = removedOver(y, x, stmtMs).ms;
  if (rx !== ry) return rx > ry;
  if (x.size !== y.size) return x.size < y.size;
  if (x.net !== y.net) return x.net > y.net;
  return x.key < y.key;
}

/** The preferred one among the sides tied with the best one (null when there are none). */
export function breakTie<T extends TieSide>(sides: T[], margin: number, stmtMs: (idx: number) => number): T | null {
  const tied = tiedWith(sides, margin);
  let pick: T | null = null;
  for (const s of tied) if (!pick || preferred(s, pick, stmtMs)) pick = s;
  return pick;
}

/** The column note for a chosen index whose plans stop at a LIMIT (e.g. "created_at DESC in the key: removes the sort at LIMIT 20"). */
export function sortNote(tailKeys: string[], limits: number[]): string | null {
  if (tailKeys.length === 0 || limits.length === 0) return null;
  const shown = [...new Set(limits)].sort((a, b) => a - b);
  const at = shown.length <= 3 ? shown.join(', ') : `${shown[0]}-${shown[shown.length - 1]}`;
  return `${tailKeys.join(', ')} in the key: removes the sort at LIMIT ${at}`;
}

/** The column note for an index chosen in a near tie over a smaller one. */
export function tieNote(over: string, removal: Removal, margin: number): string {
  const what: string[] = [];
  if (removal.sortAt.length > 0) {
    const n = removal.sortAt.length;
    what.push(
      `the sort at LIMIT ${[...new Set(removal.sortAt.map((s) => s.limit))].sort((a, b) => a - b).join(', ')} (${n} statement${n > 1 ? 's' : ''})`,
    );
  }
  if (removal.heap.length > 0) {
    const n = removal.heap.length;
    what.push(`the heap fetch: index-only scan (${n} statement${n > 1 ? 's' : ''})`);
  }
  return `preferred to ${over}, whose window saving is within ${Math.round(margin * 1000) / 10}%: it removes ${what.join(' and ')}`;
}
