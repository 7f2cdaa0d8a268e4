// Near ties between index candidates (advisor/tie-break.ts): what a plan does at the statement's real
// LIMIT, the tie margin's boundaries, and which candidate a tie gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { greedySelect, type EvalCandidate } from '../../activities/skills/database-optimization-analyzer/advisor';
import {
  breakTie,
  planTraits,
  preferred,
  removedOver,
  sortNote,
  tiedWith,
  tieNote,
  type PlanTraits,
  type TieSide,
} from '../../activities/skills/database-optimization-analyzer/advisor/tie-break';
import type { PlanNode } from '../../activities/postgres/plan-walk';
import { GREEDY_OPTIONS as gopts } from '../helpers/advisor-fixtures';

const scan = (type: string, rows: number, cond = '(tenant_id = $1)'): PlanNode => ({
  'Node Type': type,
  'Index Name': 'h',
  'Relation Name': 't',
  'Parent Relationship': 'Outer',
  'Startup Cost': 0.3,
  'Total Cost': 20,
  'Plan Rows': rows,
  'Index Cond': cond,
});
const limit = (input: PlanNode, rows = 1, extra: PlanNode[] = []): PlanNode => ({
  'Node Type': 'Limit',
  'Startup Cost': 0,
  'Total Cost': 5,
  'Plan Rows': rows,
  Plans: [...extra, input],
});
const sort = (input: PlanNode): PlanNode => ({
  'Node Type': 'Sort',
  'Parent Relationship': 'Outer',
  'Total Cost': 19,
  'Plan Rows': input['Plan Rows'],
  Plans: [input],
});

test('planTraits: an ordered scan stops at the real LIMIT only when a call returns fewer rows than it would produce', () => {
  const ordered = limit(scan('Index Scan', 4));
  assert.deepEqual(planTraits(ordered, 'h', 3, []), { stopsAtLimit: 3, indexOnly: false });
  assert.equal(planTraits(ordered, 'h', 4, []).stopsAtLimit, null, 'LIMIT 4 of 4 rows: every row is read');
  assert.equal(planTraits(ordered, 'h', 3.2, []).stopsAtLimit, null, '3.2 rows a call: the LIMIT is at least 4');
  assert.equal(planTraits(ordered, 'h', 0, []).stopsAtLimit, 1, 'LIMIT at least 1');
  assert.equal(planTraits(ordered, 'h', null, []).stopsAtLimit, null, 'rows per call unknown: not counted');
  assert.equal(planTraits(limit(sort(scan('Bitmap Heap Scan', 4))), 'h', 3, []).stopsAtLimit, null, 'a Sort reads every row first');
  assert.equal(planTraits(scan('Index Scan', 4), 'h', 3, []).stopsAtLimit, null, 'no LIMIT');
  const initPlan: PlanNode = { ...scan('Index Scan', 1), 'Index Name': 'users_pkey', 'Parent Relationship': 'InitPlan' };
  assert.equal(planTraits(limit(scan('Index Scan', 4), 1, [initPlan]), 'h', 2, []).stopsAtLimit, 2, "the Limit's input, not its InitPlan");
  // A nested Limit (bound to the real rows by limit-binding.ts) is read at its own planned rows.
  const nested: PlanNode = {
    'Node Type': 'Nested Loop',
    'Total Cost': 50,
    'Plan Rows': 10,
    Plans: [{ ...limit(scan('Index Scan', 800), 10) }],
  };
  assert.equal(planTraits(nested, 'h', 10, []).stopsAtLimit, 10);
});

test('planTraits: an index-only scan counts when the columns it must search are in its Index Cond', () => {
  const io = (cond: string) => scan('Index Only Scan', 3, cond);
  assert.equal(planTraits(io('((account_id = $1) AND (created_at >= $2))'), 'h', 3, ['account_id', 'created_at']).indexOnly, true);
  assert.equal(
    planTraits(io('(events.account_id = $1) AND (events.created_at >= $2)'), 'h', 3, ['account_id', 'created_at']).indexOnly,
    true,
  );
  assert.equal(planTraits(io('("AccountId" = $1)'), 'h', 3, ['AccountId']).indexOnly, true, 'quoted');
  assert.equal(
    planTraits(io('(handle = $1)'), 'h', 3, ['handle', 'id']).indexOnly,
    false,
    'id only covers the select list: an INCLUDE in effect',
  );
  assert.equal(planTraits(io('(handle_id = $1)'), 'h', 3, ['handle']).indexOnly, false, 'a whole identifier, not a prefix');
  assert.equal(planTraits(scan('Index Scan', 3), 'h', 3, []).indexOnly, false);
  assert.equal(planTraits(io('(a = $1)'), 'other', 3, []).indexOnly, false, 'another index');
});

const side = (key: string, net: number, size: number, traits: Record<number, PlanTraits | undefined>): TieSide => ({
  key,
  net,
  size,
  traits: new Map(Object.entries(traits).map(([i, t]) => [Number(i), t])),
});
const plain: PlanTraits = { stopsAtLimit: null, indexOnly: false };
const atLimit: PlanTraits = { stopsAtLimit: 3, indexOnly: false };
const io: PlanTraits = { stopsAtLimit: null, indexOnly: true };
const ms = (idx: number) => [100, 40, 7][idx] ?? 0;

test('tiedWith: within the margin of the best net gain, boundary included; a bad margin is refused', () => {
  const sides = [side('a', 1000, 2, {}), side('b', 980, 2, {}), side('c', 979.99, 2, {})];
  assert.deepEqual(
    tiedWith(sides, 0.02).map((s) => s.key),
    ['a', 'b'],
  );
  assert.deepEqual(
    tiedWith(sides, 0).map((s) => s.key),
    ['a'],
  );
  assert.deepEqual(tiedWith([], 0.02), []);
  assert.deepEqual(
    tiedWith([side('n', -5, 1, {}), side('m', -5.05, 1, {})], 0.02).map((s) => s.key),
    ['n'],
    'no gain: no tie margin',
  );
  assert.throws(() => tiedWith(sides, 1), /tieMargin must be a fraction in \[0, 1\), got 1: e\.g\. 0\.02/);
  assert.throws(() => tiedWith(sides, Number.NaN), /tieMargin/);
});

test('removedOver: a sort at the LIMIT or a heap fetch the other keeps, on the statements both serve, in window time', () => {
  const longer = side('l', 990, 3, { 0: atLimit, 1: io, 2: atLimit });
  const shorter = side('s', 1000, 2, { 0: plain, 1: plain });
  const r = removedOver(longer, shorter, ms);
  assert.deepEqual(r, { ms: 140, sortAt: [{ idx: 0, limit: 3 }], heap: [1] }, 'statement 2 is not served by the shorter one');
  assert.deepEqual(removedOver(shorter, longer, ms), { ms: 0, sortAt: [], heap: [] });
  assert.equal(removedOver(side('x', 1, 1, { 0: atLimit }), side('y', 1, 1, { 0: atLimit }), ms).ms, 0, 'both stop at the LIMIT');
  assert.equal(
    removedOver(side('x', 1, 1, { 0: atLimit }), side('y', 1, 1, { 0: undefined }), ms).ms,
    0,
    'not planned with y: unknown, not counted',
  );
});

test('breakTie: the longer index wins a near tie when it removes a sort or heap fetch, else the smaller; no tie: the larger net', () => {
  const short = side('t(tenant_id,status)', 1000, 2, { 0: plain });
  const long = side('t(tenant_id,status,created_at DESC)', 995, 3, { 0: atLimit });
  assert.equal(breakTie([short, long], 0.02, ms)?.key, long.key, 'removes the sort at LIMIT 3');
  assert.equal(breakTie([short, { ...long, net: 979 }], 0.02, ms)?.key, short.key, 'beyond the margin the larger net wins');
  assert.equal(breakTie([short, { ...long, net: 980 }], 0.02, ms)?.key, long.key, 'at the margin it is a tie');
  assert.equal(
    breakTie(
      [
        { ...short, net: 990 },
        { ...long, net: 1000, traits: new Map([[0, plain]]) },
      ],
      0.02,
      ms,
    )?.key,
    short.key,
    'removes nothing: smaller',
  );
  assert.equal(breakTie([short, side('o', 999, 1, { 5: plain })], 0.02, ms)?.key, 'o', 'other statements: the smaller index');
  assert.equal(breakTie([short, side('u', 1001, 2, { 0: plain })], 0.02, ms)?.key, 'u', 'same size: the larger net');
  assert.equal(breakTie([], 0.02, ms), null);
  // What each removes, in window time: the heavier statement decides.
  const a = side('a', 1000, 3, { 0: atLimit, 1: plain });
  const b = side('b', 1000, 3, { 0: plain, 1: io });
  assert.equal(preferred(a, b, ms), true, '100 ms against 40 ms');
  assert.equal(preferred(b, a, ms), false);
});

test('notes: the sort removed at LIMIT n, and why a near tie went to the longer index', () => {
  assert.equal(sortNote(['created_at DESC'], [20]), 'created_at DESC in the key: removes the sort at LIMIT 20');
  assert.equal(sortNote(['sent_at DESC', 'id DESC'], [30, 10, 30]), 'sent_at DESC, id DESC in the key: removes the sort at LIMIT 10, 30');
  assert.equal(sortNote(['a'], [1, 2, 5, 9]), 'a in the key: removes the sort at LIMIT 1-9');
  assert.equal(sortNote([], [3]), null);
  assert.equal(sortNote(['a'], []), null);
  assert.equal(
    tieNote('s.t(a,b)', { ms: 1, sortAt: [{ idx: 0, limit: 3 }], heap: [0, 1] }, 0.02),
    'preferred to s.t(a,b), whose window saving is within 2%: it removes the sort at LIMIT 3 (1 statement) and the heap fetch: index-only scan (2 statements)',
  );
});

const cand = (keys: string[], cost: number, traits: PlanTraits, writeCostMs = 0): EvalCandidate => ({
  key: `s.t(${keys.join(',')})`,
  cand: { schema: 's', table: 't', keys: keys.map((name) => ({ name })), eqCount: 2, include: [] },
  results: new Map([[0, { cost, used: true, traits }]]),
  writeCostMs,
});

test('greedySelect: the near tie of issue 13 goes to the key that removes the sort at the LIMIT, with the evidence', () => {
  const stmts = new Map([[0, { idx: 0, costBefore: 1342, totalMs: 3200 }]]);
  const short = cand(['tenant_id', 'status'], 19.05, plain);
  const long = cand(['tenant_id', 'status', 'created_at'], 15.1, atLimit);
  const r = greedySelect([short, long], stmts, gopts);
  assert.deepEqual(
    r.chosen.map((c) => c.key),
    [long.key],
  );
  assert.equal(r.chosen[0].tie?.over, short.key);
  assert.deepEqual(r.chosen[0].tie?.removal.sortAt, [{ idx: 0, limit: 3 }]);
  // No sort removed (the LIMIT returns every row): the smaller index, with no tie evidence.
  const both = greedySelect([short, cand(['tenant_id', 'status', 'created_at'], 15.1, plain)], stmts, gopts);
  assert.deepEqual(
    both.chosen.map((c) => [c.key, c.tie]),
    [[short.key, undefined]],
  );
  // The extra column breaks HOT updates: its write cost puts it beyond the margin.
  const costly = greedySelect([short, cand(['tenant_id', 'status', 'created_at'], 15.1, atLimit, 200)], stmts, gopts);
  assert.deepEqual(
    costly.chosen.map((c) => c.key),
    [short.key],
  );
  // A zero margin: only the net gain counts (the longer one saves a little more here).
  assert.deepEqual(
    greedySelect([short, cand(['tenant_id', 'status', 'created_at'], 15.1, plain)], stmts, { ...gopts, tieMargin: 0 }).chosen.map(
      (c) => c.key,
    ),
    [long.key],
  );
});
