// Walking EXPLAIN (FORMAT JSON) plans: whether an index is used, which relations are scanned
// sequentially, the cost of what a statement really fetches, a one-line excerpt for evidence.
import { round } from '../../common/round';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Schema?: string;
  Alias?: string;
  'Index Name'?: string;
  'Startup Cost'?: number;
  'Total Cost': number;
  'Plan Rows': number;
  Filter?: string;
  'Sort Key'?: string[];
  Plans?: PlanNode[];
  [key: string]: unknown;
}

/** The root node of EXPLAIN (FORMAT JSON) output: `[{"Plan": {...}}]`, possibly as a string or a row. */
export function planRoot(explain: unknown): PlanNode {
  let v: unknown = explain;
  if (typeof v === 'string') v = JSON.parse(v);
  if (v && typeof v === 'object' && !Array.isArray(v) && 'QUERY PLAN' in (v as Record<string, unknown>)) {
    v = (v as Record<string, unknown>)['QUERY PLAN'];
    if (typeof v === 'string') v = JSON.parse(v);
  }
  const first = Array.isArray(v) ? v[0] : v;
  const plan = first && typeof first === 'object' ? (first as { Plan?: PlanNode }).Plan : undefined;
  if (!plan || typeof plan['Node Type'] !== 'string') throw new Error('not an EXPLAIN (FORMAT JSON) plan');
  return plan;
}

/** Depth-first, parents before children; `ancestors` is nearest-last. */
export function walkPlan(root: PlanNode, visit: (node: PlanNode, ancestors: PlanNode[]) => void): void {
  const go = (node: PlanNode, ancestors: PlanNode[]) => {
    visit(node, ancestors);
    for (const child of node.Plans ?? []) go(child, [...ancestors, node]);
  };
  go(root, []);
}

const SEQ_SCANS = new Set(['Seq Scan', 'Parallel Seq Scan']);
/** True when some node of the plan scans the named index. */
export function planUsesIndex(root: PlanNode, indexName: string): boolean {
  let used = false;
  walkPlan(root, (node) => {
    if (node['Index Name'] === indexName) used = true;
  });
  return used;
}

/** Total cost of the whole plan (the root's). */
export function planCost(root: PlanNode): number {
  return Number(root['Total Cost'] ?? 0);
}

/**
 * A one-line summary of a plan for evidence: its nodes depth-first, with relation, index, cost and
 * the Filter / Index Cond / Sort Key that explain it, e.g.
 * `Limit (cost=946) > Sort [Sort Key: p.created_at DESC] > Seq Scan on shop.products (cost=896, rows=1000) [Filter: (category_id = $1)]`.
 */
export function planExcerpt(root: PlanNode, maxLength = 400): string {
  const parts: string[] = [];
  walkPlan(root, (node) => {
    let s = node['Node Type'];
    if (node['Index Name']) s += ` using ${node['Index Name']}`;
    if (node['Relation Name']) s += ` on ${node.Schema ? `${node.Schema}.` : ''}${node['Relation Name']}`;
    s += ` (cost=${round(Number(node['Total Cost'] ?? 0), 2)}, rows=${node['Plan Rows']})`;
    const details: string[] = [];
    for (const key of ['Index Cond', 'Filter', 'Hash Cond', 'Join Filter']) {
      if (typeof node[key] === 'string') details.push(`${key}: ${node[key] as string}`);
    }
    if (Array.isArray(node['Sort Key'])) details.push(`Sort Key: ${(node['Sort Key'] as string[]).join(', ')}`);
    if (details.length) s += ` [${details.join('; ')}]`;
    parts.push(s);
  });
  const text = parts.join(' > ');
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

/** Schema-qualified names of the relations a plan reads with a sequential scan. */
export function seqScannedRelations(root: PlanNode): Set<string> {
  const out = new Set<string>();
  walkPlan(root, (node) => {
    if (SEQ_SCANS.has(node['Node Type']) && node['Relation Name']) out.add(`${node.Schema ?? '?'}.${node['Relation Name']}`);
  });
  return out;
}

/**
 * The plan's cost for what the statement really fetches. A generic plan of `LIMIT $n` assumes it
 * fetches 10% of the rows below it; when the window shows how many rows each call returned, the
 * Limit's cost is recomputed the way the planner does it (startup + (total - startup) x fetched /
 * planned rows) with that figure. Other plans: the root's total cost.
 */
export function effectiveCost(root: PlanNode, rowsPerCall: number | null): number {
  return costAt(costModel(root), rowsPerCall);
}

/** What effectiveCost needs of a plan, small enough to keep for every statement. */
export interface CostModel {
  total: number;
  /** The node under a root Limit: its startup and total cost and planned rows. */
  limited: { startup: number; total: number; rows: number } | null;
}

export function costModel(root: PlanNode): CostModel {
  // A Limit's children: the limited node (Outer), and InitPlans (uncorrelated subqueries, run once
  // before the first row, e.g. `author = (SELECT id FROM users WHERE ...)`), whose cost comes on top.
  const children = root['Node Type'] === 'Limit' ? (root.Plans ?? []) : [];
  const child = children.find((c) => c['Parent Relationship'] === 'Outer') ?? children[0];
  const initPlans = children
    .filter((c) => c !== child && c['Parent Relationship'] === 'InitPlan')
    .reduce((sum, c) => sum + Number(c['Total Cost'] ?? 0), 0);
  return {
    total: planCost(root),
    limited: child
      ? {
          startup: Number(child['Startup Cost'] ?? 0) + initPlans,
          total: Number(child['Total Cost'] ?? 0) + initPlans,
          rows: Math.max(1, Number(child['Plan Rows'] ?? 1)),
        }
      : null,
  };
}

export function costAt(m: CostModel, rowsPerCall: number | null): number {
  if (!m.limited || rowsPerCall === null || !Number.isFinite(rowsPerCall)) return m.total;
  const fraction = Math.min(1, Math.max(1, rowsPerCall) / m.limited.rows);
  return m.limited.startup + (m.limited.total - m.limited.startup) * fraction;
}
