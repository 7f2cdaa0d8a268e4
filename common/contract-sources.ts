// The contract's sources_consulted (the documents the run's rules and actions relied on, as URLs with
// the date each was last checked: common/references.ts) and data_sources (what the run measured and read).
import type { RunRecord } from './contract-record';
import { consulted, type ReferenceId } from './references';

/** The references this run relied on, in a stable order. */
export function referencesFor(r: RunRecord): ReferenceId[] {
  const ids = new Set<ReferenceId>(['temporal-message-passing', 'temporal-versioning']);
  const db = r.profiling.database;
  if (db?.extensions.pgStatStatements) ids.add('pg-stat-statements').add('pg-explain');
  if (db?.extensions.hypopg) ids.add('hypopg');
  if (db?.available && r.input.target.database?.logFile) ids.add('pg-auto-explain');
  const actions = new Set(r.plan.items.map((i) => i.action.type));
  if (actions.has('create_index')) ids.add('pg-create-index');
  if (actions.has('drop_index')) ids.add('pg-drop-index');
  const cpu = r.profiling.cpu;
  if (cpu?.samples) ids.add(cpu.profiler === 'py-spy' ? 'py-spy' : 'node-inspector');
  if (cpu?.eventLoopDelayMs) ids.add('node-perf-hooks');
  if (r.profiling.cache?.available) ids.add('redis-info');
  return ORDER.filter((id) => ids.has(id));
}

const ORDER: ReferenceId[] = [
  'pg-stat-statements',
  'pg-explain',
  'pg-auto-explain',
  'hypopg',
  'pg-create-index',
  'pg-drop-index',
  'redis-info',
  'node-inspector',
  'node-perf-hooks',
  'py-spy',
  'temporal-message-passing',
  'temporal-versioning',
];

export function sourcesConsulted(r: RunRecord): string[] {
  return referencesFor(r).map(consulted);
}

export function dataSources(r: RunRecord): string[] {
  const s = [`load test ${r.profiling.baseline.id} (${r.input.target.load.model} model, HDR histograms)`];
  if (r.profiling.database?.extensions.pgStatStatements) s.push('pg_stat_statements (window diff)', 'EXPLAIN generic plans');
  if (r.profiling.database?.extensions.hypopg) s.push('hypopg hypothetical indexes');
  if (r.profiling.cache?.available) s.push('Redis INFO stats/memory, SLOWLOG');
  if (r.profiling.process?.pid != null) s.push('/proc process and host metrics');
  if (r.profiling.network) s.push('HTTP connect/TTFB/transfer probes per endpoint');
  const cpu = r.profiling.cpu;
  if (cpu?.samples)
    s.push(`CPU profile ${cpu.profiler === 'py-spy' ? 'with py-spy' : 'through the Node.js inspector'} (${cpu.samples} samples)`);
  if (cpu?.eventLoopDelayMs) s.push('event-loop delay (perf_hooks.monitorEventLoopDelay)');
  const prometheus = r.skills?.find((x) => x.skill === 'observability-stack-configurator' && !x.skipped)?.evidence.figures;
  if (prometheus && typeof prometheus.job === 'string')
    s.push(`the service's Prometheus ${String(prometheus.prometheusUrl)} (job ${prometheus.job}, PromQL over the baseline window)`);
  if (r.validation) s.push(...r.validation.completed.map((p) => `validation load test: ${p}`));
  return s;
}
