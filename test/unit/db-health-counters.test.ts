// The unused-index check against the scan counters' age (minCounterAgeDays) and foreign keys: the pure rules at their boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HealthForeignKey, HealthIndex, HealthSnapshot } from '../../activities/skills/database-optimization-analyzer/health';
import { healthFindings, healthOptionsFrom } from '../../activities/skills/database-optimization-analyzer/health';
import {
  counterAge,
  countersOldEnough,
  recheckAfter,
} from '../../activities/skills/database-optimization-analyzer/health/checks/counter-age';
import {
  fkLeadsIndex,
  leadingForeignKey,
  withForeignKeys,
} from '../../activities/skills/database-optimization-analyzer/health/checks/foreign-key-index';
import { healthIndex, healthSnapshot } from '../helpers/advisor-fixtures';

const DAY = 86_400_000;
const TAKEN = '2024-03-01T00:00:00.000Z';
const before = (ms: number) => new Date(Date.parse(TAKEN) - ms).toISOString();

const index = (o: Partial<HealthIndex>): HealthIndex => healthIndex({ keyAttnums: [2], foreignKey: null, ...o }, 'child', 0);
const fk = (o: Partial<HealthForeignKey>): HealthForeignKey => ({
  schema: 'public',
  table: 'child',
  name: 'child_parent_id_fkey',
  attnums: [2],
  columns: ['parent_id'],
  refSchema: 'public',
  refTable: 'parent',
  onDelete: 'c',
  onUpdate: 'a',
  ...o,
});
const snapshot = (o: Partial<HealthSnapshot>): HealthSnapshot =>
  healthSnapshot({ takenAt: TAKEN, serverStart: before(30 * DAY), sharedStatsReset: null, foreignKeys: [], ...o });
const unused = (s: HealthSnapshot, o = {}) => healthFindings(s, null, [], o).filter((f) => f.rootCause === 'unused_index');

test('counter age: stats_reset when set; otherwise the later of the server start and the cluster discard; unknown without either', () => {
  const reset = counterAge(snapshot({ statsReset: before(2 * DAY), serverStart: before(DAY) }))!;
  assert.deepEqual(
    [reset.source, reset.hours],
    ['stats_reset', 48],
    'a reset older than a clean restart still counts: PG 15 keeps counters',
  );
  const start = counterAge(snapshot({ serverStart: before(3 * DAY), sharedStatsReset: before(10 * DAY) }))!;
  assert.deepEqual([start.source, start.hours], ['server_start', 72]);
  const crash = counterAge(snapshot({ serverStart: before(10 * DAY), sharedStatsReset: before(DAY) }))!;
  assert.deepEqual([crash.source, crash.hours], ['stats_discard', 24], 'a crash recovery discarded them after the start');
  assert.equal(counterAge(snapshot({ serverStart: null })), null);
  assert.equal(counterAge(snapshot({ statsReset: before(-DAY) }))!.hours, 0, 'a clock ahead of the snapshot is not a negative age');
});

test('counters old enough: at the minimum exactly, not a millisecond before; 0 accepts any age, even unknown', () => {
  const at = (ms: number) => counterAge(snapshot({ statsReset: before(ms) }));
  assert.equal(countersOldEnough(at(7 * DAY), 7), true);
  assert.equal(countersOldEnough(at(7 * DAY - 1), 7), false);
  assert.equal(countersOldEnough(at(0), 0), true);
  assert.equal(countersOldEnough(null, 0), true);
  assert.equal(countersOldEnough(null, 7), false);
  assert.equal(countersOldEnough(at(12 * 3_600_000), 0.5), true);
  assert.equal(recheckAfter(at(DAY), 7, TAKEN), before(-6 * DAY));
  assert.equal(recheckAfter(null, 7, TAKEN), before(-7 * DAY));
});

test('foreign key prefix: the FK columns lead the index in any order; a longer FK, a later column or an expression do not', () => {
  assert.equal(fkLeadsIndex([2], [2]), true);
  assert.equal(fkLeadsIndex([2, 5], [2]), true, 'extra key columns after the FK');
  assert.equal(fkLeadsIndex([5, 2], [2]), false, 'the FK column second: a lookup by it cannot use the index');
  assert.equal(fkLeadsIndex([3, 4], [3, 4]), true, 'two-column FK');
  assert.equal(fkLeadsIndex([4, 3, 7], [3, 4]), true, 'two-column FK, permuted, then another column');
  assert.equal(fkLeadsIndex([3, 7, 4], [3, 4]), false, 'a column between');
  assert.equal(fkLeadsIndex([3], [3, 4]), false, 'the index has fewer columns than the FK');
  assert.equal(fkLeadsIndex([0, 2], [2]), false, 'an expression first');
  assert.equal(fkLeadsIndex([], []), false);
});

test('leading foreign key: same table only; no partial index, no GIN; hash only on one column; the first by name', () => {
  const fks = [fk({ name: 'z_fkey' }), fk({ name: 'a_fkey' }), fk({ name: 'other_fkey', table: 'other' })];
  assert.equal(leadingForeignKey(index({}), fks)?.name, 'a_fkey');
  assert.equal(leadingForeignKey(index({ table: 'third' }), fks), null);
  assert.equal(leadingForeignKey(index({ predicate: '(a > 0)' }), fks), null);
  assert.equal(leadingForeignKey(index({ method: 'gin' }), fks), null);
  assert.equal(leadingForeignKey(index({ method: 'hash' }), fks)?.name, 'a_fkey');
  assert.equal(leadingForeignKey(index({ keyAttnums: undefined }), fks), null, 'an older snapshot keeps what it read');
  assert.deepEqual(
    withForeignKeys([index({ name: 'x' }), index({ name: 'y', keyAttnums: [9] })], fks).map((i) => i.foreignKey),
    ['a_fkey', null],
  );
});

test('young counters: no drop action, one piece of advice with the age, the minimum and the date to re-check', () => {
  const s = snapshot({
    statsReset: before(7 * DAY - 60_000),
    indexes: [index({ name: 'u' }), index({ name: 'v', keys: ['b'], keyAttnums: [3], scans: 50 })],
  });
  const [f, ...rest] = unused(s);
  assert.equal(rest.length, 0);
  assert.equal(f.id, 'db-health-unused-indexes-young-counters');
  assert.equal(f.action.type, 'manual');
  assert.match(f.title, /^2 indexes scanned at most 50 times, but the scan counters have run only 6.9 days \(minimum 7 days\)/);
  assert.match(f.title, /re-check after 2024-03-01T00:01:00\.000Z/);
  assert.ok(
    f.evidence.some((e) => /have run at least 6.9 days \(since 2024-02-23T00:01:00\.000Z, this database's statistics reset/.test(e)),
  );
  assert.ok(f.evidence.includes('public.u on child (a): 0 scans, 8 kB'), f.evidence.join('\n'));
  assert.match(
    (f.action as { steps: string[] }).steps[1],
    /SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelid = '"public"\."u"'::regclass;/,
  );

  const old = unused(snapshot({ statsReset: before(7 * DAY), indexes: [index({ name: 'u' })] }));
  assert.deepEqual(
    old.map((x) => [x.id, x.action.type]),
    [['db-unused-index-public-u', 'drop_index']],
  );
  assert.ok(
    old[0].evidence.some((e) => /have run at least 7 days \(since .*\); .*; at least 7 days are required \(minCounterAgeDays\)/.test(e)),
  );
  assert.equal(
    unused(snapshot({ statsReset: before(60_000), indexes: [index({ name: 'u' })] }), { minCounterAgeDays: 0 })[0].action.type,
    'drop_index',
  );
});

test('an unused index on a foreign key: advice only, naming the constraint and what would scan the table', () => {
  const s = snapshot({
    indexes: [
      index({ name: 'child_parent_idx', foreignKey: 'child_parent_id_fkey' }),
      index({ name: 'plain', keys: ['b'], keyAttnums: [9] }),
    ],
    foreignKeys: [fk({})],
    tables: [{ schema: 'public', name: 'child', reltuples: 250_000 } as HealthSnapshot['tables'][number]],
  });
  const found = unused(s);
  assert.deepEqual(
    found.map((f) => [f.id, f.action.type]),
    [
      ['db-unused-index-public-plain', 'drop_index'],
      ['db-health-foreign-key-indexes', 'manual'],
    ],
  );
  const f = found[1];
  assert.ok(
    f.evidence.includes(
      'public.child_parent_idx on child (a): 0 scans, 8 kB; it serves foreign key child_parent_id_fkey (parent_id) -> public.parent ' +
        '(ON DELETE CASCADE, ON UPDATE NO ACTION): without it, ON DELETE/UPDATE of public.parent rows would scan public.child ' +
        '(250,000 rows) for each deleted/updated key',
    ),
    f.evidence.join('\n'),
  );
  assert.match((f.action as { steps: string[] }).steps[0], /drop it only if no DELETE .* \(NOT applied by the tool\)$/);
  assert.equal(f.rollback, 'CREATE INDEX CONCURRENTLY i ON public.child USING btree (a);');
  // Young counters: the foreign-key index is listed with the same wording, still without a drop.
  const young = unused({ ...s, statsReset: before(DAY) });
  assert.deepEqual(
    young.map((x) => x.id),
    ['db-health-unused-indexes-young-counters'],
  );
  assert.ok(young[0].evidence.some((e) => /child_parent_idx .* would scan public\.child \(250,000 rows\)/.test(e)));
});

test('a duplicate does not rest on the scan counters: still a drop with young counters, saying so', () => {
  const s = snapshot({
    statsReset: before(3_600_000),
    indexes: [index({ name: 'a', scans: 1000 }), index({ name: 'ab', keys: ['a', 'b'], keyAttnums: [2, 3], scans: 1000 })],
  });
  const dups = healthFindings(s, null, []).filter((f) => f.rootCause === 'duplicate_index');
  assert.deepEqual(
    dups.map((f) => [f.id, f.action.type]),
    [['db-duplicate-index-public-a', 'drop_index']],
  );
  assert.ok(
    dups[0].evidence.some((e) => /a duplicate by its definition, not by its scan counts: .* 1 hours/.test(e)),
    dups[0].evidence.join('\n'),
  );
});

test('minCounterAgeDays: a bad value is an error naming the field and the fix', () => {
  for (const bad of [-1, Number.NaN, Infinity, '7' as unknown as number]) {
    assert.throws(
      () => healthOptionsFrom({ minCounterAgeDays: bad }),
      /health option minCounterAgeDays must be a finite number of days >= 0 .*or 0 to judge/,
    );
  }
  assert.throws(() => healthFindings(snapshot({}), null, [], { minCounterAgeDays: -1 }), /minCounterAgeDays/);
  assert.equal(healthOptionsFrom({}).minCounterAgeDays, 7);
});
