// The contract's bottlenecks_identified[] and optimizations_implemented[] in the specification's shape:
// component/metric/current_value and a 0-100 impact score per bottleneck; type, estimated_impact,
// effort_days and status per item, the richer detail beside them. Pure.
import type { OptimizationStatus, OptimizationType, OutputContract, ItemState } from './output-contract';
import type { RunRecord } from './contract-record';
import type { Bottleneck, PlanItem, RootCause } from './types';
import { inventoryBottlenecks } from './bottlenecks';
import { measuredContract } from './contract-verdict';
import { describeAction } from './describe-action';
import { round } from './round';

type ContractBottleneck = OutputContract['bottlenecks_identified'][number];
type ContractItem = OutputContract['optimizations_implemented'][number];

const clampPct = (x: number) => round(Math.min(100, Math.max(0, Number.isFinite(x) ? x : 0)), 1);

/**
 * A bottleneck's share of the total request time: its raw score (ms of request time per request x
 * requests per second, at one day of effort) over the baseline's mean latency x requests per second.
 */
export function bottleneckSharePct(raw: number, meanLatencyMs: number, rps: number): number {
  const total = meanLatencyMs * rps;
  return total > 0 ? clampPct((100 * raw) / total) : 0;
}

export function contractBottlenecks(r: RunRecord): ContractBottleneck[] {
  const base = r.profiling.baseline;
  // Bottlenecks recorded before the inventory named component/metric/value: the same figures, inventoried again.
  const again = r.profiling.bottlenecks.some((b) => b.component === undefined)
    ? inventoryBottlenecks(r.profiling, r.input.target.targets)
    : [];
  return r.profiling.bottlenecks.map((recorded) => {
    const b: Bottleneck =
      recorded.component === undefined ? (again.find((x) => x.description === recorded.description) ?? recorded) : recorded;
    return {
      layer: b.layer,
      component: b.component ?? b.description,
      metric: b.metric ?? (b.layer === 'caching' ? 'hit_ratio' : 'latency'),
      current_value: b.currentValue ?? b.description,
      target_value: b.targetValue ?? null,
      impact_score: bottleneckSharePct(b.impactScore, base.latencyMs.mean, base.throughputRps),
      impact_score_raw: b.impactScore,
      description: b.description,
      evidence: b.evidence,
    };
  });
}

// The kind of change each root cause calls for (an index action is always `index`).
const TYPE_BY_ROOT_CAUSE: Record<RootCause, OptimizationType> = {
  missing_index: 'index',
  unused_index: 'index',
  duplicate_index: 'index',
  invalid_index: 'index',
  seq_scan_large_table: 'index',
  n_plus_one: 'code',
  query_rewrite: 'code',
  hot_function: 'code',
  long_running_query: 'code',
  lock_contention: 'code',
  uncached_endpoint: 'cache',
  cold_cache: 'cache',
  cpu_saturation: 'infrastructure',
  capacity: 'infrastructure',
  partitioning: 'infrastructure',
  network_latency: 'edge',
  bloat: 'config',
  stale_statistics: 'config',
  connection_pressure: 'config',
  wraparound_risk: 'config',
  sequence_exhaustion: 'config',
  low_cache_hit_ratio: 'config',
  missing_extension: 'monitoring',
  monitoring_gap: 'monitoring',
};

export function optimizationType(item: Pick<PlanItem, 'action' | 'rootCause' | 'layer'>): OptimizationType {
  if (item.action.type === 'create_index' || item.action.type === 'drop_index') return 'index';
  // Monitoring of any layer is monitoring (a missing Redis exporter is not a cache change).
  if (item.rootCause === 'monitoring_gap') return 'monitoring';
  // A cache-analyzer finding (e.g. a hot function behind a cacheable endpoint) is served by the cache.
  if (item.layer === 'caching') return 'cache';
  return TYPE_BY_ROOT_CAUSE[item.rootCause] ?? 'config';
}

export function itemState(item: PlanItem, r: RunRecord): ItemState {
  if (!item.automatic) return 'manual';
  if (r.decision.kind === 'rejected') return 'rejected';
  if (r.decision.kind !== 'approved' || !r.decision.itemIds.includes(item.id)) return 'not_approved';
  if (r.optimization?.failed?.itemId === item.id || r.optimization?.monitoringFailed?.itemId === item.id) return 'failed';
  if (r.optimization?.rolledBack.some((x) => x.itemId === item.id && x.ok)) return 'rolled_back';
  if (r.optimization?.applied.some((x) => x.itemId === item.id)) return 'applied';
  if (r.optimization?.notApplied?.itemIds.includes(item.id)) return 'skipped'; // a stage met the targets first
  // Approved, neither applied nor failed: an earlier item failed and the saga stopped before it.
  return r.optimization?.failed ? 'skipped' : 'not_approved';
}

/** The specification's status: applied and kept -> completed; not applied -> planned; undone and failed kept apart. */
export function statusOf(state: ItemState): OptimizationStatus {
  if (state === 'applied') return 'completed';
  if (state === 'rolled_back' || state === 'failed') return state;
  return 'planned';
}

export function contractItems(r: RunRecord): ContractItem[] {
  return r.plan.items.map((i) => {
    const state = itemState(i, r);
    return {
      type: optimizationType(i),
      description: i.title,
      estimated_impact: `${i.estimatedGainPct}% of mean latency`,
      effort_days: i.effortDays,
      status: statusOf(state),
      id: i.id,
      layer: i.layer,
      root_cause: i.rootCause,
      action: describeAction(i.action),
      state,
      priority: i.priority ?? 'medium',
      impact_score: clampPct(i.impactSharePct ?? i.estimatedGainPct),
      impact_score_raw: i.impactScore,
      estimated_gain_pct: i.estimatedGainPct,
      rollback: i.rollback,
      evidence: i.evidence,
      ...measuredContract(r.validation?.items?.find((m) => m.itemId === i.id)),
    };
  });
}
