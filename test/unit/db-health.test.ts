// Health checks on synthetic snapshots: thresholds, figures and steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HealthSnapshot, HealthTable } from '../../activities/skills/database-optimization-analyzer/health';
import { expectedTablePages, healthFindings } from '../../activities/skills/database-optimization-analyzer/health';
import { settingWithUnit } from '../../activities/skills/database-optimization-analyzer/health/readers/settings';
import { concurrentDefinition } from '../../common/index-definition';
import { summarizeActivity, diffTableCounters, type TableCounters } from '../../activities/postgres/statistics';
import { healthIndex as index, healthSnapshot } from '../helpers/advisor-fixtures';

const table = (o: Partial<HealthTable>): HealthTable => ({
  schema: 'public',
  name: 't',
  reltuples: 1000,
  relpages: 10,
  sizeBytes: 81920,
  liveTuples: 1000,
  deadTuples: 0,
  modsSinceAnalyze: 0,
  lastAnalyze: '2024-01-01T00:00:00Z',
  lastVacuum: null,
  seqScan: 0,
  idxScan: 0,
  xidAge: 1000,
  fillfactor: 100,
  rowWidth: 40,
  heapBlksHit: 0,
  heapBlksRead: 0,
  idxBlksHit: 0,
  idxBlksRead: 0,
  ...o,
});
// The counters have run 31 days (healthSnapshot's default): old enough for the unused check's minimum (7 days,
// db-health-counters.test.ts tests it).
const snapshot = (o: Partial<HealthSnapshot> = {}): HealthSnapshot =>
  healthSnapshot({
    settings: {
      max_connections: '100',
      superuser_reserved_connections: '3',
      shared_buffers: '128MB',
      autovacuum_freeze_max_age: '200000000',
    },
    database: { name: 'db', xidAge: 1000, mxidAge: 1, connections: 5 },
    serverConnections: 5,
    ...o,
  });
const ids = (s: HealthSnapshot) => healthFindings(s, null, []).map((f) => f.id);

test('a healthy database has no findings', () => {
  assert.deepEqual(ids(snapshot({ indexes: [index({})], tables: [table({})] })), []);
});

test('unused: at most 50 scans (PgHero), unique and constraint indexes excluded; PgHero-like thresholds', () => {
  const s = snapshot({
    indexes: [
      index({ name: 'u', keys: ['u'], scans: 50, definition: 'CREATE INDEX u ON public.t USING btree (u)' }),
      index({ name: 'used', keys: ['v'], scans: 51 }),
      index({ name: 'uq', keys: ['w'], unique: true, scans: 0 }),
      index({ name: 'pk', keys: ['id'], primary: true, constraint: 'pk', scans: 0 }),
    ],
  });
  const unused = healthFindings(s, null, []).filter((x) => x.rootCause === 'unused_index');
  assert.deepEqual(
    unused.map((f) => f.id),
    ['db-unused-index-public-u'],
  );
  assert.deepEqual(unused[0].action, {
    type: 'drop_index',
    schema: 'public',
    table: 't',
    indexName: 'u',
    definition: 'CREATE INDEX u ON public.t USING btree (u)',
  });
  assert.equal(unused[0].rollback, 'CREATE INDEX CONCURRENTLY u ON public.t USING btree (u);');
  assert.ok(unused[0].evidence.some((e) => /approved by its id/.test(e)));
});

test('duplicates: prefix, same predicate; a unique index on fewer columns is not a duplicate', () => {
  const s = snapshot({
    indexes: [
      index({ name: 'a', keys: ['a'] }),
      index({ name: 'ab', keys: ['a', 'b'] }),
      index({ name: 'ua', keys: ['a'], unique: true }),
      index({ name: 'pa', keys: ['a'], predicate: '(deleted IS NULL)' }),
      index({ name: 'adesc', keys: ['a DESC'] }),
    ],
  });
  const dups = healthFindings(s, null, []).filter((x) => x.rootCause === 'duplicate_index');
  assert.deepEqual(
    dups.map((f) => [f.id, f.action.type === 'drop_index' && f.action.indexName]),
    [['db-duplicate-index-public-a', 'a']],
  );
});

test('cache hit ratio below 99% over the window, with enough block accesses', () => {
  const w = (hit: number, read: number) => ({ tables: null, activity: null, cache: { hit, read }, statements: [] });
  const s = snapshot({ tables: [table({ heapBlksRead: 5000, heapBlksHit: 1000 })] });
  assert.ok(healthFindings(s, w(98_000, 2_000), []).some((f) => f.id === 'db-health-cache-hit-ratio'));
  assert.ok(!healthFindings(s, w(99_500, 500), []).some((f) => f.id === 'db-health-cache-hit-ratio'));
  assert.ok(!healthFindings(snapshot(), w(90, 10), []).some((f) => f.id === 'db-health-cache-hit-ratio'), 'too few accesses');
});

test('settings read as SHOW prints them: sizes in their largest whole unit, times with their unit', () => {
  // The trial printed "shared_buffers = 16384": pg_settings counts it in 8kB blocks.
  assert.equal(settingWithUnit('16384', '8kB'), '128MB');
  assert.equal(settingWithUnit('524288', '8kB'), '4GB');
  assert.equal(settingWithUnit('100', '8kB'), '800kB');
  assert.equal(settingWithUnit('4096', 'kB'), '4MB');
  assert.equal(settingWithUnit('4000', 'kB'), '4000kB');
  assert.equal(settingWithUnit('64', 'MB'), '64MB');
  assert.equal(settingWithUnit('0', '8kB'), '0kB');
  assert.equal(settingWithUnit('-1', '8kB'), '-1', 'auto (-1) stays as it is');
  assert.equal(settingWithUnit('30000', 'ms'), '30000ms');
  assert.equal(settingWithUnit('on', null), 'on');
});

test('bloat estimate: expected pages from the row width', () => {
  assert.equal(expectedTablePages({ reltuples: 1000, rowWidth: 40, fillfactor: 100 }, 8192), Math.ceil(1000 / Math.floor(8168 / 52)));
  const bloated = table({ reltuples: 100_000, relpages: 10_000, sizeBytes: 10_000 * 8192, rowWidth: 40 });
  assert.ok(ids(snapshot({ tables: [bloated] })).includes('db-health-bloat'));
  const vacuumBehind = table({ liveTuples: 50_000, deadTuples: 20_000 });
  assert.ok(ids(snapshot({ tables: [vacuumBehind] })).includes('db-health-bloat'));
});

test('connections: 80% of max_connections - reserved', () => {
  assert.ok(ids(snapshot({ serverConnections: 78 })).includes('db-health-connections'));
  assert.ok(!ids(snapshot({ serverConnections: 77 })).includes('db-health-connections'));
});

test('sequences: 75% of the max or of the fed column type', () => {
  const s = snapshot({
    sequences: [
      {
        schema: 'public',
        name: 'sq',
        lastValue: 1_700_000_000,
        maxValue: 9.2e18,
        increment: 1,
        cycle: false,
        column: { schema: 'public', table: 't', name: 'id', type: 'integer', max: 2147483647 },
      },
    ],
  });
  assert.ok(ids(s).includes('db-health-sequences'));
  const ok = snapshot({
    sequences: [
      {
        schema: 'public',
        name: 'sq',
        lastValue: 1_500_000_000,
        maxValue: 9.2e18,
        increment: 1,
        cycle: false,
        column: { schema: 'public', table: 't', name: 'id', type: 'integer', max: 2147483647 },
      },
    ],
  });
  assert.ok(!ids(ok).includes('db-health-sequences'));
});

test('stale statistics and wraparound', () => {
  assert.ok(ids(snapshot({ tables: [table({ reltuples: 10_000, modsSinceAnalyze: 2_000 })] })).includes('db-health-stale-statistics'));
  assert.ok(!ids(snapshot({ tables: [table({ reltuples: 10_000, modsSinceAnalyze: 1_400 })] })).includes('db-health-stale-statistics'));
  assert.ok(
    ids(snapshot({ tables: [table({ lastAnalyze: null, liveTuples: 5000 })] })).includes('db-health-stale-statistics'),
    'never analyzed',
  );
  assert.ok(
    ids(snapshot({ database: { name: 'db', xidAge: 400_000_001, mxidAge: 1, connections: 1 } })).includes('db-health-wraparound'),
    '2 x autovacuum_freeze_max_age',
  );
  assert.ok(!ids(snapshot({ database: { name: 'db', xidAge: 399_999_999, mxidAge: 1, connections: 1 } })).includes('db-health-wraparound'));
});

test('activity samples: peaks, wait events, the longest lock waits with their blockers', () => {
  const sess = (pid: number, state: string, o: Record<string, unknown> = {}) => ({
    pid,
    state,
    waitEventType: null,
    waitEvent: null,
    xactMs: 0,
    queryMs: 10,
    stateMs: 10,
    blockedBy: [] as number[],
    query: `q${pid}`,
    ...o,
  });
  const s = summarizeActivity([
    { at: 1, sessions: [sess(1, 'active'), sess(2, 'idle in transaction', { stateMs: 9000 })] },
    {
      at: 2,
      sessions: [
        sess(1, 'active', { waitEventType: 'Lock', waitEvent: 'transactionid', blockedBy: [2], queryMs: 1500 }),
        sess(2, 'idle in transaction', { stateMs: 9500 }),
        sess(3, 'active'),
      ],
    },
  ]);
  assert.equal(s.maxConnections, 3);
  assert.equal(s.maxActive, 2);
  assert.deepEqual(s.waitEvents, { CPU: 2, 'Lock:transactionid': 1 });
  assert.deepEqual(s.idleInTransaction, [{ pid: 2, ms: 9500, query: 'q2' }]);
  assert.equal(s.blocked[0].blockingQueries[0], 'idle in transaction: q2');
  const f = healthFindings(snapshot(), { tables: null, activity: s, cache: null, statements: [] }, []);
  assert.deepEqual(f.map((x) => x.id).sort(), ['db-health-blocked-queries', 'db-health-idle-in-transaction']);
});

test('table counter deltas and CREATE INDEX CONCURRENTLY rollbacks', () => {
  const t = (seq: number, ins: number): TableCounters => ({
    schema: 's',
    table: 't',
    seqScan: seq,
    seqTupRead: 0,
    idxScan: 0,
    nTupIns: ins,
    nTupUpd: 0,
    nTupHotUpd: 0,
    nTupDel: 0,
    heapBlksRead: 0,
    heapBlksHit: 0,
    idxBlksRead: 0,
    idxBlksHit: 0,
  });
  assert.deepEqual(
    diffTableCounters([t(10, 5)], [t(15, 5)]).map((x) => [x.seqScan, x.nTupIns]),
    [[5, 0]],
  );
  assert.deepEqual(
    diffTableCounters([t(10, 5)], [t(3, 1)]).map((x) => x.seqScan),
    [3],
    'a reset takes the after figures',
  );
  assert.deepEqual(diffTableCounters([t(10, 5)], [t(10, 5)]), []);
  assert.equal(
    concurrentDefinition('CREATE UNIQUE INDEX u ON s.t USING btree (a)'),
    'CREATE UNIQUE INDEX CONCURRENTLY u ON s.t USING btree (a)',
  );
});

test('unused indexes: one approvable drop per index, largest first, at most maxItems; odd names get a hash in the id', () => {
  const many = Array.from({ length: 20 }, (_, n) => index({ name: `u${n}`, keys: [`c${n}`], scans: 0, sizeBytes: (n + 1) * 8192 }));
  const unused = healthFindings(snapshot({ indexes: many }), null, [], { maxItems: 15 }).filter((x) => x.rootCause === 'unused_index');
  assert.equal(unused.length, 15);
  assert.equal(unused[0].id, 'db-unused-index-public-u19');
  assert.ok(unused[0].evidence.some((e) => /one of 20 unused indexes; the 15 largest are in the plan/.test(e)));
  const odd = healthFindings(snapshot({ indexes: [index({ name: 'Odd Name', scans: 0 })] }), null, []).find(
    (x) => x.rootCause === 'unused_index',
  )!;
  assert.match(odd.id, /^db-unused-index-public-odd_name-[0-9a-f]{8}$/);
});
