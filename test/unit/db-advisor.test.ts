// The advisor's pure parts: candidates from table accesses (selectivity order, sort, range, join,
// INCLUDE), prefix coverage by existing indexes, the greedy choice with write costs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  candidatesFor,
  combinationsToTry,
  greedySelect,
  splitByWeight,
  writeCostMs,
  type Access,
  type EvalCandidate,
} from '../../activities/skills/database-optimization-analyzer/advisor';
import { candidateKey, coveredBy, type Candidate, type ExistingIndex } from '../../activities/postgres/index-model';
import { effectiveCost, planExcerpt, type PlanNode } from '../../activities/postgres/plan-walk';
import { GREEDY_OPTIONS as gopts, intTable as table } from '../helpers/advisor-fixtures';
import { expressionReads } from '../../activities/skills/database-optimization-analyzer/advisor/tables';

const opts = { maxKeyColumns: 3, maxIncludeColumns: 3, maxIncludeWidth: 64 };
const keys = (c: Candidate) => candidateKey(c).replace(/^s\.t/, '');

test('candidates: equality columns most selective first, then sort keys, a range, join keys, INCLUDE variants', () => {
  const t = table({ kind: { nd: 4 }, user_id: { nd: 5000 }, created_at: { nd: 90000 }, total: { nd: 100 }, id: { nd: 100000 } });
  const a: Access = {
    table: t,
    eq: ['kind', 'user_id'],
    range: ['created_at'],
    join: [],
    sort: null,
    limit: false,
    used: new Set(['kind', 'user_id', 'created_at', 'total']),
  };
  assert.deepEqual(candidatesFor(a, opts).map(keys), [
    '(user_id,kind,created_at)',
    '(user_id,kind)',
    '(user_id,kind,created_at) INCLUDE (total)',
    '(user_id,kind) INCLUDE (created_at,total)',
  ]);
  const sorted: Access = {
    table: t,
    eq: ['user_id'],
    range: [],
    join: ['id'],
    sort: [{ name: 'created_at', desc: true }],
    limit: true,
    used: null,
  };
  assert.deepEqual(candidatesFor(sorted, opts).map(keys), ['(user_id,created_at DESC)', '(user_id)', '(id,user_id)']);
  const top: Access = { table: t, eq: [], range: [], join: [], sort: [{ name: 'created_at', desc: true }], limit: true, used: null };
  assert.deepEqual(candidatesFor(top, opts).map(keys), ['(created_at DESC)']);
  assert.deepEqual(candidatesFor({ ...top, limit: false }, opts).map(keys), [], 'a full sort without LIMIT reads everything anyway');
});

test('coverage: an existing index serves a candidate when it starts with its columns', () => {
  const idx = (name: string, cols: [string, boolean][], extra: Partial<ExistingIndex> = {}): ExistingIndex => ({
    name,
    valid: true,
    partial: false,
    method: 'btree',
    columns: cols.map(([n, d]) => ({ name: n, desc: d })),
    ...extra,
  });
  const c = (k: [string, boolean?][], eqCount: number, include: string[] = []): Candidate => ({
    schema: 's',
    table: 't',
    keys: k.map(([name, desc]) => (desc ? { name, desc } : { name })),
    eqCount,
    include,
  });
  const existing = [
    idx('ab', [
      ['a', false],
      ['b', false],
      ['c', false],
    ]),
    idx(
      'd_desc',
      [
        ['x', false],
        ['d', true],
      ],
      { include: ['v'] },
    ),
  ];
  assert.equal(coveredBy(c([['a']], 1), existing), 'ab');
  assert.equal(coveredBy(c([['b'], ['a']], 2), existing), 'ab', 'equality columns in any order');
  assert.equal(coveredBy(c([['b']], 1), existing), null, 'not a prefix');
  assert.equal(coveredBy(c([['x'], ['d', true]], 1), existing), 'd_desc');
  assert.equal(coveredBy(c([['x'], ['d']], 1), existing), 'd_desc', 'a backward scan serves the reverse order');
  assert.equal(coveredBy(c([['x'], ['d', true]], 1, ['v']), existing), 'd_desc', 'INCLUDE columns present');
  assert.equal(coveredBy(c([['x']], 1, ['w']), existing), null);
  assert.equal(
    coveredBy(c([['a']], 1), [idx('p', [['a', false]], { partial: true }), idx('i', [['a', false]], { valid: false })]),
    null,
    'partial and INVALID indexes do not count',
  );
});

function evalCand(
  key: string,
  table: string,
  cost: Record<number, number>,
  writeCost = 0,
  include: string[] = [],
  k: string[] = [key],
): EvalCandidate {
  return {
    key: `${table}:${key}${include.length ? `+${include.join(',')}` : ''}`,
    cand: { schema: 's', table, keys: k.map((name) => ({ name })), eqCount: k.length, include },
    results: new Map(Object.entries(cost).map(([i, c]) => [Number(i), { cost: c, used: true }])),
    writeCostMs: writeCost,
  };
}

test('greedy: one index serving two statements beats two single-statement indexes; prefixes add nothing', () => {
  const stmts = new Map([
    [0, { idx: 0, costBefore: 1000, totalMs: 1000 }],
    [1, { idx: 1, costBefore: 1000, totalMs: 1000 }],
  ]);
  const ab = evalCand('ab', 't', { 0: 10, 1: 20 }, 0, [], ['a', 'b']);
  const a = evalCand('a', 't', { 1: 15, 0: 400 });
  const b = evalCand('b', 't', { 0: 5 });
  const r = greedySelect([a, b, ab], stmts, gopts);
  assert.deepEqual(
    r.chosen.map((c) => c.key),
    ['t:ab'],
    'a (prefix of ab) and b are not worth a second index',
  );
  assert.ok(Math.abs(r.chosen[0].gainMs - (990 + 980)) < 1e-9);
});

test('greedy: the saving threshold, the write cost, INCLUDE only when clearly better', () => {
  const stmts = new Map([[0, { idx: 0, costBefore: 1000, totalMs: 100 }]]);
  assert.deepEqual(greedySelect([evalCand('a', 't', { 0: 600 })], stmts, gopts).chosen, [], 'saves 40% < 50%');
  const heavy = greedySelect([evalCand('a', 't', { 0: 10 }, 500)], stmts, gopts);
  assert.deepEqual(heavy.chosen, []);
  assert.match(heavy.rejected[0].reason, /write cost \(500 ms .*\) outweighs the 99 ms it would save/);
  const inc = (c: number) =>
    greedySelect([evalCand('a', 't', { 0: 100 }), evalCand('a', 't', { 0: c }, 0, ['v'])], stmts, gopts).chosen.map((x) => x.key);
  assert.deepEqual(inc(90), ['t:a'], '1% more saving is not worth the wider index');
  const stmts2 = new Map([[0, { idx: 0, costBefore: 1000, totalMs: 100 }]]);
  assert.deepEqual(
    greedySelect([evalCand('a', 't', { 0: 450 }), evalCand('a', 't', { 0: 5 }, 0, ['v'])], stmts2, gopts).chosen.map((x) => x.key),
    ['t:a+v'],
  );
});

test('greedy: indexes on different tables add up for one statement; combinations to try when none suffices alone', () => {
  const stmts = new Map([[0, { idx: 0, costBefore: 1000, totalMs: 100 }]]);
  const x = evalCand('x', 'a', { 0: 200 }); // saves 80%
  const y = evalCand('y', 'b', { 0: 820 }); // saves 18% more on another table
  assert.deepEqual(
    greedySelect([x, y], stmts, gopts).chosen.map((c) => c.key),
    ['a:x', 'b:y'],
  );
  const p = evalCand('p', 'a', { 0: 700 }); // 30% each: neither alone reaches 50%
  const q = evalCand('q', 'b', { 0: 700 });
  const r = greedySelect([p, q], stmts, gopts);
  assert.deepEqual(r.chosen, []);
  assert.deepEqual(combinationsToTry([p, q], stmts, r.chosen, gopts), [{ idx: 0, keys: ['a:p', 'b:q'] }]);
});

test('write cost: inserted and non-HOT updated rows; HOT updates only when the index covers an updated column', () => {
  const c: Candidate = { schema: 's', table: 't', keys: [{ name: 'a' }, { name: 'b' }], eqCount: 2, include: [] };
  const w = { schema: 's', table: 't', inserted: 1000, updated: 500, hotUpdated: 300, deleted: 50 };
  assert.equal(writeCostMs(c, w, new Set(['z']), 0.01), (1000 + 200) * 0.01 * 1.15);
  assert.equal(writeCostMs(c, w, new Set(['b']), 0.01), (1000 + 200 + 300) * 0.01 * 1.15);
  assert.equal(writeCostMs(c, undefined, undefined, 0.01), 0);
});

test('LIMIT $n plans are costed for the rows each call really returned', () => {
  const plan: PlanNode = {
    'Node Type': 'Limit',
    'Startup Cost': 100,
    'Total Cost': 200,
    'Plan Rows': 100,
    Plans: [
      { 'Node Type': 'Index Scan', 'Index Name': 'i', 'Relation Name': 't', 'Startup Cost': 0, 'Total Cost': 1000, 'Plan Rows': 1000 },
    ],
  };
  assert.equal(effectiveCost(plan, 20), 20);
  assert.equal(effectiveCost(plan, null), 200);
  assert.equal(effectiveCost({ ...plan, 'Node Type': 'Sort' }, 20), 200);
  assert.equal(planExcerpt(plan), 'Limit (cost=200, rows=100) > Index Scan using i on t (cost=1000, rows=1000)');
});

test('splitByWeight: the heaviest statements (in input order) in detail, the rest heaviest first', () => {
  const st = [5, 50, 1, 30, 30, 2].map((totalMs) => ({ totalMs }));
  const small = splitByWeight(st, 10);
  assert.deepEqual([...small.detailed], [0, 1, 2, 3, 4, 5]);
  assert.equal(small.tail.length, 0);
  const { detailed, tail } = splitByWeight(st, 3);
  assert.deepEqual([...detailed], [1, 3, 4]);
  assert.deepEqual([...tail], [0, 5, 2]);
});

test('write cost: an update of a column an expression key reads breaks HOT updates; a string literal that names it does not', () => {
  const w = { schema: 's', table: 't', inserted: 0, updated: 100, hotUpdated: 100, deleted: 0 };
  const cand = (name: string): Candidate => ({ schema: 's', table: 't', keys: [{ name, expression: true }], eqCount: 1, include: [] });
  assert.equal(writeCostMs(cand('lower(email)'), w, new Set(['email']), 0.01), 1);
  assert.equal(writeCostMs(cand('lower(email)'), w, new Set(['name']), 0.01), 0);
  assert.equal(writeCostMs(cand('lower(email_verified)'), w, new Set(['email']), 0.01), 0);
  assert.equal(writeCostMs(cand(`(payload ->> 'email')`), w, new Set(['email']), 0.01), 0);
  assert.equal(expressionReads('upper("Email"::text)', 'Email'), true);
});
