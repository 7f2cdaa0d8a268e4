// OR over different columns: the set of indexes (one per branch) a BitmapOr needs, its evidence, and
// that a set is kept whole or not at all (pure parts of statement.ts, or-sets.ts, or-set-choice.ts, tail.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, type CatalogTable } from '../../activities/postgres/catalog';
import { ensureParser, parseStatement } from '../../activities/postgres/sql-parse';
import type { ExistingIndex } from '../../activities/postgres/index-model';
import {
  accessesOf,
  orSetNote,
  orSetsFor,
  type Access,
  type IndexRecommendation,
} from '../../activities/skills/database-optimization-analyzer/advisor';
import { finishOrSets, roomFor } from '../../activities/skills/database-optimization-analyzer/advisor/or-set-choice';
import { keepLargest, unit } from '../../activities/skills/database-optimization-analyzer/advisor/tail';
import { DEFAULT_ADVISOR_OPTIONS } from '../../activities/skills/database-optimization-analyzer/advisor';
import { intTable as table } from '../helpers/advisor-fixtures';

before(async () => {
  assert.equal(await ensureParser(), true);
});

const btree = (name: string, cols: string[]): ExistingIndex => ({
  name,
  valid: true,
  partial: false,
  method: 'btree',
  columns: cols.map((c) => ({ name: c, desc: false })),
});
const access = (t: CatalogTable, or: Access['or']): Access => ({
  table: t,
  eq: [],
  range: [],
  join: [],
  sort: null,
  limit: false,
  used: null,
  or,
});
const opts = { maxKeyColumns: 3 };
const cols = { kind: 10, tenant_id: 500, owner_id: 5000, assignee_id: 8000, due_at: 90000 };

test('one index per branch: its equalities most selective first, then one range; branches with one key share an index', () => {
  const t = table(cols);
  const sets = orSetsFor(
    access(t, [
      [
        { eq: ['kind', 'tenant_id'], range: [] },
        { eq: ['assignee_id'], range: [] },
        { eq: [], range: ['due_at'] },
        { eq: ['owner_id'], range: ['due_at'] },
      ],
      [
        { eq: ['assignee_id'], range: [] },
        { eq: ['assignee_id'], range: [] },
      ],
    ]),
    opts,
  );
  assert.deepEqual(
    sets.map((s) => s.key),
    ['s.t(assignee_id) + s.t(due_at) + s.t(owner_id,due_at) + s.t(tenant_id,kind)', 's.t(assignee_id)'],
  );
  assert.deepEqual(sets[0].members.find((m) => m.keys.length === 2 && m.keys[0].name === 'owner_id')?.eqCount, 1);
  assert.deepEqual(sets[0].existing, []);
});

test('branches an existing index serves are not proposed again; a fully indexed OR has no member', () => {
  const t = table(cols, [btree('t_assignee_idx', ['assignee_id', 'due_at']), btree('t_owner_idx', ['owner_id'])]);
  const [partly, fully] = orSetsFor(
    access(t, [
      [
        { eq: ['assignee_id'], range: [] },
        { eq: ['tenant_id'], range: [] },
      ],
      [
        { eq: ['assignee_id'], range: [] },
        { eq: ['owner_id'], range: [] },
      ],
    ]),
    opts,
  );
  assert.equal(partly.key, 's.t(tenant_id)');
  assert.deepEqual(partly.existing, ['t_assignee_idx']);
  assert.deepEqual(fully.members, []);
  assert.deepEqual(fully.existing, ['t_assignee_idx', 't_owner_idx']);
  assert.match(orSetNote(partly, partly.members[0]), /^serves a BitmapOr with the existing index t_assignee_idx for the statements/);
  assert.deepEqual(orSetsFor(access(t, undefined), opts), [], 'no OR, no set');
  assert.deepEqual(
    orSetsFor(
      access(t, [
        [
          { eq: [], range: [] },
          { eq: ['kind'], range: [] },
        ],
      ]),
      opts,
    ),
    [],
    'a branch without a key',
  );
});

const rec = (col: string, queryids: string[][], statementCount = queryids.length, table = 't'): IndexRecommendation => ({
  schema: 's',
  table,
  reltuples: 100_000,
  keys: [{ name: col }],
  eqCount: 1,
  include: [],
  verified: true,
  savedMs: 100,
  writeCostMs: 0,
  writes: null,
  statements: queryids.map((q) => ({
    queryids: q,
    query: 'q',
    calls: 1,
    totalMs: 1,
    rows: 1,
    costBefore: 2,
    costAfter: 1,
    planBefore: '',
    planAfter: '',
  })),
  statementCount,
  columnNotes: [],
});

test('a set is kept whole: a member whose partner was not kept is dropped, unless it also serves other statements', () => {
  const t = table(cols);
  const [set] = orSetsFor(
    access(t, [
      [
        { eq: ['owner_id'], range: [] },
        { eq: ['assignee_id'], range: [] },
      ],
    ]),
    opts,
  );
  const chosen = [{ set, stmts: [0], queryids: new Set(['7']) }];

  const whole = finishOrSets([rec('owner_id', [['7']]), rec('assignee_id', [['7']])], chosen, []);
  assert.equal(whole.length, 2);
  assert.match(whole[0].columnNotes[0], /BitmapOr with the proposed index s\.t\(assignee_id\)/);
  assert.match(whole[1].columnNotes[0], /BitmapOr with the proposed index s\.t\(owner_id\)/);

  const rejected: { candidate: string; reason: string }[] = [];
  assert.deepEqual(finishOrSets([rec('owner_id', [['7']])], chosen, rejected), []);
  assert.match(rejected[0].reason, /partner s\.t\(assignee_id\) was not kept/);
  const alsoOwn = finishOrSets([rec('owner_id', [['7'], ['8']])], chosen, []);
  assert.equal(alsoOwn.length, 1, 'it serves statement 8 on its own');
  assert.equal(finishOrSets([rec('owner_id', [['7']], 3)], chosen, []).length, 1, 'it serves tail statements too');
});

test('after the tail: a set is kept whole within the limits, and a member a kept index serves is not proposed twice', () => {
  const opts = { ...DEFAULT_ADVISOR_OPTIONS, maxNewIndexes: 3, maxIndexesPerTable: 3, minNetGainMs: 0 };
  const single = unit([rec('kind', [['1']], 1, 'u')]);
  const set = unit([rec('owner_id', [['2']]), rec('assignee_id', [['2']])], 'OR set s.t(assignee_id) + s.t(owner_id)');
  const big = unit([rec('a', [['3']], 1, 'v'), rec('b', [['3']], 1, 'v')], 'OR set s.v(a) + s.v(b)');
  const rejected: { candidate: string; reason: string }[] = [];
  const kept = keepLargest([single, set, big], opts, rejected);
  assert.deepEqual(
    kept.map((r) => `${r.table}.${r.keys[0].name}`),
    ['u.kind', 't.owner_id', 't.assignee_id'],
  );
  assert.equal(rejected[0].candidate, 'OR set s.v(a) + s.v(b)', 'the whole set, not one of its members');

  const twice = keepLargest([unit([rec('owner_id', [['9']])]), set], opts, []);
  assert.deepEqual(
    twice.map((r) => r.keys[0].name),
    ['owner_id', 'assignee_id'],
    'the set reuses the kept (owner_id)',
  );
});

test('from the statement: the OR groups of a table access, only those whose every branch has a column of that table', () => {
  const t = table(cols);
  const u = { ...table({ id: 100_000, kind: 10 }), name: 'u' };
  const catalog = new Catalog(['s'], ['s'], [t, u]);
  const accesses = (sql: string) => accessesOf(parseStatement(sql), catalog, { minTableRows: 1000 });
  const [a] = accesses('SELECT id FROM t WHERE kind = $1 AND ((tenant_id = $2 AND owner_id = $3) OR due_at BETWEEN $4 AND $5)');
  assert.deepEqual(a.eq, ['kind']);
  assert.deepEqual(a.or, [
    [
      { eq: ['tenant_id', 'owner_id'], range: [] },
      { eq: [], range: ['due_at'] },
    ],
  ]);
  assert.deepEqual(
    orSetsFor(a, opts).map((x) => x.key),
    ['s.t(due_at) + s.t(owner_id,tenant_id)'],
  );
  const [only] = accesses('SELECT id FROM t WHERE owner_id = $1 OR assignee_id = $2');
  assert.deepEqual(only.or?.length, 1, 'an OR alone makes a table access');
  const join = accesses('SELECT t.id FROM t JOIN u ON u.id = t.owner_id WHERE t.assignee_id = $1 OR u.kind = $2');
  assert.deepEqual(
    join.map((x) => [x.table.name, x.or ?? null]),
    [
      ['t', null],
      ['u', null],
    ],
    'an OR across two tables: no BitmapOr on either (both keep their join keys)',
  );
});

test('room for a set: the weakest chosen indexes are displaced to stay within maxNewIndexes, never a member of a set', () => {
  const ch = (key: string, gainMs: number) => ({ key, gainMs, writeCostMs: 0, served: new Map<number, number>() });
  const m = (col: string, table = 't') => ({ schema: 's', table, keys: [{ name: col }], eqCount: 1, include: [] });
  const chosen = [ch('s.u(a)', 50), ch('s.u(b)', 10), ch('s.v(c)', 30)];
  const limits = { maxNewIndexes: 4, maxIndexesPerTable: 3 };
  assert.deepEqual(roomFor(chosen, [m('x')], limits, new Set()), [], 'room for one');
  assert.deepEqual(
    roomFor(chosen, [m('x'), m('y')], limits, new Set())?.map((c) => c.key),
    ['s.u(b)'],
  );
  assert.deepEqual(
    roomFor(chosen, [m('x'), m('y')], limits, new Set(['s.u(b)']))?.map((c) => c.key),
    ['s.v(c)'],
  );
  assert.equal(roomFor(chosen, [m('x'), m('y')], limits, new Set(['s.u(a)', 's.u(b)', 's.v(c)'])), null, 'nothing may be displaced');
  assert.equal(
    roomFor([ch('s.t(a)', 1), ch('s.t(b)', 1)], [m('x'), m('y')], { maxNewIndexes: 10, maxIndexesPerTable: 3 }, new Set()),
    null,
    'per table',
  );
});
