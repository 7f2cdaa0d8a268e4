// The database's and the cache's exporters (pure parts): the exporter watching the profile's server
// found by the port it reports, their PromQL, where they disagree with the profiler's snapshots, and
// how the skill's figures become the contract's table and its text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareExporters,
  exporterFor,
  postgresQueries,
  redisQueries,
  type PostgresFigures,
  type RedisFigures,
} from '../../common/observability/exporters';
import { promRange } from '../../common/observability/queries';
import { observabilityBaseline } from '../../common/contract-observability';
import { exporterRows } from '../../client/render-observability';
import type { RunRecord } from '../../common/contract-record';

const sample = (labels: Record<string, string>, value: number) => ({ labels, value });

test('exporterFor: postgres by the port pg_settings_port reports, redis by redis_instance_info tcp_port; several said', () => {
  const pg = [
    sample({ job: 'pg-other', instance: 'a:9187' }, 5433),
    sample({ job: 'postgres', instance: 'b:9187' }, 5432),
    sample({ job: 'postgres-2', instance: 'c:9187' }, 5432),
  ];
  assert.deepEqual(exporterFor('postgres', pg, 5432), { match: { job: 'postgres', instance: 'b:9187' }, others: 1 });
  assert.deepEqual(exporterFor('postgres', pg, 5433), { match: { job: 'pg-other', instance: 'a:9187' }, others: 0 });
  assert.deepEqual(exporterFor('postgres', pg, 6000), { match: null, others: 0 });
  const redis = [
    sample({ job: 'redis', instance: 'r:9121', tcp_port: '6379' }, 1),
    sample({ job: 'r2', instance: 's:9121', tcp_port: '6380' }, 1),
  ];
  assert.deepEqual(exporterFor('redis', redis, 6380).match, { job: 'r2', instance: 's:9121' });
  assert.equal(exporterFor('redis', redis, 5432).match, null, 'a value is not a port for redis: its label is');
});

test("the exporters' PromQL: the instance, the database by name (escaped), the window's range", () => {
  const q = postgresQueries({ job: 'postgres', instance: '127.0.0.1:9187' }, 'shop"demo', 30);
  assert.equal(
    q.dbSecondsPerSecond,
    'sum(rate(pg_stat_statements_seconds_total{job="postgres",instance="127.0.0.1:9187",datname="shop\\"demo"}[30s]))',
  );
  assert.match(q.bufferHitRatio, /blks_hit.*\/ \(.*blks_hit.*blks_read.*\[30s\]/);
  assert.match(q.backendsMax, /^max\(max_over_time\(pg_stat_database_numbackends\{.*\}\[30s\]\)\)$/);
  const r = redisQueries({ job: 'redis', instance: 'x:9121' }, 12);
  assert.match(r.hitRatio, /redis_keyspace_hits_total\{job="redis",instance="x:9121"\}\[12s\].*redis_keyspace_misses_total/);
  assert.match(r.memoryMbMax, /\/ 1048576$/);
});

const pg = (dbTimeMsPerSecond: number | null): PostgresFigures => ({
  job: 'postgres',
  instance: 'p:9187',
  datname: 'shop',
  dbTimeMsPerSecond,
  dbTimeMsPerRequest: null,
  statementsPerSecond: null,
  bufferHitRatioPct: null,
  backendsMax: null,
});
const redis = (hitRatioPct: number | null, opsPerSecond: number | null): RedisFigures => ({
  job: 'redis',
  instance: 'r:9121',
  hitRatioPct,
  opsPerSecond,
  clientsMax: null,
  memoryMbMax: null,
});
const profiled = (db: number | null, hit: number | null, ops: number | null) => ({
  dbTimeMsPerSecond: db,
  dbTimeMsPerRequest: null,
  cacheHitRatioPct: hit,
  cacheOpsPerSecond: ops,
});

test('compareExporters: within 25% (of the larger) and 5 points they agree; beyond, each disagreement with its meaning', () => {
  assert.deepEqual(compareExporters(pg(100), redis(90, 100), profiled(80, 95, 76)), [], '100 vs 80 is 20% of 100; 90 vs 95 is 5 points');
  const off = compareExporters(pg(100), redis(80, 100), profiled(74, 95.5, 74));
  assert.deepEqual(
    off.map((d) => [d.figure, d.profiler, d.exporter]),
    [
      ['dbTimeMsPerSecond', 74, 100],
      ['cacheHitRatioPct', 95.5, 80],
      ['cacheOpsPerSecond', 74, 100],
    ],
  );
  assert.match(off[0].meaning, /other clients/, 'more DB time in the exporter: other clients');
  assert.match(compareExporters(pg(50), null, profiled(100, null, null))[0].meaning, /top statements|reset/);
  assert.deepEqual(
    compareExporters(pg(null), redis(null, null), profiled(100, 90, 10)),
    [],
    'a figure missing on one side is not compared',
  );
  assert.deepEqual(compareExporters(null, null, profiled(100, 90, 10)), []);
  assert.deepEqual(
    compareExporters(pg(null), redis(100, null), { ...profiled(null, 94.7, null), cacheLookups: 57 }),
    [],
    '57 lookups: a ratio of a handful is not compared',
  );
  assert.equal(compareExporters(pg(null), redis(100, null), { ...profiled(null, 94.7, null), cacheLookups: 100 }).length, 1);
});

const record = (figures: Record<string, unknown>): RunRecord =>
  ({
    skills: [
      {
        skill: 'observability-stack-configurator',
        skipped: null,
        evidence: { artifactId: 'a', figures: { prometheusUrl: 'http://p', ...figures } },
      },
    ],
  }) as unknown as RunRecord;

test("the contract's exporter table: only the exporters read, the profiler's figure beside the exporter's; none: no table", () => {
  assert.equal(observabilityBaseline(record({})).observability?.exporters, undefined, 'evidence from before the exporters');
  const o = observabilityBaseline(
    record({
      pgExporter: null,
      redisExporter: 'redis 127.0.0.1:9121',
      exporterCacheHitPct: 88.5,
      profilerCacheHitPct: 90,
      exporterCacheOpsPerSecond: 120,
      profilerCacheOpsPerSecond: 118,
      exporterRedisClientsMax: 7,
      exporterRedisMemoryMb: null,
    }),
  ).observability!;
  assert.deepEqual(o.exporters, {
    postgres: null,
    redis: 'redis 127.0.0.1:9121',
    figures: [
      { metric: 'cache_hit_ratio_pct', profiler: 90, exporter: 88.5 },
      { metric: 'cache_commands_per_second', profiler: 118, exporter: 120 },
      { metric: 'cache_clients_max', profiler: null, exporter: 7 },
      { metric: 'cache_memory_mb', profiler: null, exporter: null },
    ],
  });
  const rows = exporterRows(o)!;
  assert.match(rows.caption, /redis: redis 127\.0\.0\.1:9121/);
  assert.deepEqual(rows.rows[1], ['cache hits %', '90', '88.5']);
  assert.deepEqual(rows.rows[4], ['cache memory MB', '-', '-']);
});

test('promRange: rates over the whole seconds inside the window, ending at its last; too few scrapes: a centred, wider range', () => {
  assert.deepEqual(promRange(100.2, 105.2, 3), { rateComparable: true, rangeSeconds: 4, atS: 105 });
  assert.deepEqual(promRange(100, 110, 6), { rateComparable: true, rangeSeconds: 10, atS: 110 }, 'whole seconds: the window itself');
  assert.deepEqual(
    promRange(100.5, 104.4, 4),
    { rateComparable: false, rangeSeconds: 4, atS: 105 },
    '103 - 101 = 2 s inside: latencies only',
  );
  const wide = promRange(100, 102, 30);
  assert.deepEqual(wide, { rateComparable: false, rangeSeconds: 30, atS: 116 });
  assert.ok(wide.atS - wide.rangeSeconds <= 100 && wide.atS >= 102, 'the widened range holds the window');
});
