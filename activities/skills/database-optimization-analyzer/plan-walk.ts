// Walking EXPLAIN (FORMAT JSON, VERBOSE) plans: where the sequential scans are, what filters and
// sorts sit on them, whether an index is used.
import { equalityColumns, sortColumns, type SortColumn } from './plan-text';

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
const SORTS = new Set(['Sort', 'Incremental Sort']);
// Nodes between a Sort and its scan that keep the scan's rows as they are.
const PASS_THROUGH = new Set(['Gather', 'Gather Merge', 'Result', 'Materialize']);

export interface SeqScanSite {
  nodeType: string;
  schema: string | null;
  relation: string;
  alias: string;
  filter: string | null;
  planRows: number;
  totalCost: number;
  equalityColumns: string[];
  /** Sort directly above the scan (through pass-through nodes only), as plain columns of this relation. */
  sortColumns: SortColumn[] | null;
  sortKeyText: string[] | null;
}

/** Every Seq Scan with its Filter's equality columns and the Sort Key it feeds, if any. */
export function findSeqScans(root: PlanNode): SeqScanSite[] {
  const out: SeqScanSite[] = [];
  walkPlan(root, (node, ancestors) => {
    if (!SEQ_SCANS.has(node['Node Type']) || !node['Relation Name']) return;
    const alias = node.Alias ?? node['Relation Name'];
    let sortKeyText: string[] | null = null;
    for (let i = ancestors.length - 1; i >= 0; i--) {
      const a = ancestors[i];
      if (SORTS.has(a['Node Type'])) {
        sortKeyText = a['Sort Key'] ?? null;
        break;
      }
      if (!PASS_THROUGH.has(a['Node Type'])) break;
    }
    const eq = equalityColumns(node.Filter ?? null, alias);
    const sort = sortColumns(sortKeyText, alias);
    out.push({
      nodeType: node['Node Type'],
      schema: node.Schema ?? null,
      relation: node['Relation Name'],
      alias,
      filter: node.Filter ?? null,
      planRows: Number(node['Plan Rows'] ?? 0),
      totalCost: Number(node['Total Cost'] ?? 0),
      equalityColumns: eq,
      sortColumns: sort ? sort.filter((s) => !eq.includes(s.name)) : null,
      sortKeyText,
    });
  });
  return out;
}

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
