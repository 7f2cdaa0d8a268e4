import { test } from 'node:test';
import { attributionPass, endpointRow } from '../helpers/attribution-fixture';
import assert from 'node:assert/strict';
import {
  backgroundOf,
  exactnessFlags,
  halvesAgree,
  pairAttributions,
  perRequestFigures,
  QUERY_TEXT_MAX,
  type EndpointAttribution,
  type StatementDeltaLike,
} from '../../common/endpoint-attribution';

const d = (queryid: string, calls: number, totalMs: number, rows = calls): StatementDeltaLike => ({
  queryid,
  query: `q${queryid}`,
  calls,
  totalMs,
  rows,
});

test('per-request figures divide the pass diff by its requests; statements without calls are dropped', () => {
  const f = perRequestFigures([d('list', 30, 60, 600), d('one', 600, 120, 600), d('gone', 0, 0)], 30);
  assert.equal(f.statementsPerRequest, 21);
  assert.equal(f.dbMsPerRequest, 6);
  assert.equal(f.rowsPerRequest, 40);
  assert.deepEqual(
    f.topStatements.map((s) => [s.queryid, s.callsPerRequest, s.msPerRequest]),
    [
      ['one', 20, 4],
      ['list', 1, 2],
    ],
  );
});

test('statement texts are cut to QUERY_TEXT_MAX characters in the figures (results go into workflow history)', () => {
  const long = { ...d('a', 1, 1), query: `SELECT ${'x, '.repeat(1000)}1` };
  const [s] = perRequestFigures([long], 1).topStatements;
  assert.equal(s.query.length, QUERY_TEXT_MAX);
  assert.ok(s.query.endsWith('...'));
});

test('no requests: zeros, not NaN or Infinity', () => {
  const f = perRequestFigures([d('a', 3, 3)], 0);
  assert.deepEqual(f, { statementsPerRequest: 0, dbMsPerRequest: 0, rowsPerRequest: 0, topStatements: [] });
});

test('the top statements are the five costliest, ties broken by calls', () => {
  const f = perRequestFigures([d('a', 1, 1), d('b', 9, 1), d('c', 1, 5), d('d', 1, 4), d('e', 1, 3), d('f', 1, 2)], 1);
  assert.deepEqual(
    f.topStatements.map((s) => s.queryid),
    ['c', 'd', 'e', 'f', 'b'],
  );
});

test('a cheap statement called >= 5 times per request is kept after the five costliest (an N+1 hides behind them)', () => {
  // Six costly statements once per request, and a lookup 20 times per request at 0.01 ms each.
  const costly = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => d(id, 10, 100 - i));
  const f = perRequestFigures([...costly, d('lookup', 200, 2), d('few', 40, 1)], 10);
  assert.deepEqual(
    f.topStatements.map((s) => [s.queryid, s.callsPerRequest]),
    [
      ['a', 1],
      ['b', 1],
      ['c', 1],
      ['d', 1],
      ['e', 1],
      ['lookup', 20],
    ],
    'the 4-calls/request statement and the sixth costliest are left out',
  );
});

test('at most three most-called statements are added, most called first', () => {
  const many = ['m5', 'm9', 'm7', 'm6'].map((id) => d(id, Number(id.slice(1)), 0.1));
  const f = perRequestFigures([d('cost', 1, 50), ...many], 1, 1);
  assert.deepEqual(
    f.topStatements.map((s) => s.queryid),
    ['cost', 'm9', 'm7', 'm6'],
  );
});

test('halves agree within half a statement or 10%, not beyond', () => {
  assert.equal(halvesAgree(21, 21), true);
  assert.equal(halvesAgree(0.07, 0), true); // a cache's one miss in a pass of 30
  assert.equal(halvesAgree(21, 23), true); // 2 of 23: under 10%
  assert.equal(halvesAgree(21, 24), false);
  assert.equal(halvesAgree(1, 2), false);
});

const clean = {
  requests: 30,
  errors: 0,
  unfinished: 0,
  firstHalf: { deltas: [d('a', 15, 1)], requests: 15 },
  secondHalf: { deltas: [d('a', 15, 1)], requests: 15 },
  passSeconds: 0.5,
  background: { seconds: 1, calls: 0, totalMs: 0, queries: [] },
};

test('a clean pass has no flags', () => {
  assert.deepEqual(exactnessFlags(clean), { halves: [1, 1], flags: [] });
});

test('other traffic seen by the quiet probe is flagged with its expected share of the pass', () => {
  const { flags } = exactnessFlags({ ...clean, background: { seconds: 1, calls: 40, totalMs: 2, queries: ['x'] } });
  assert.equal(flags.length, 1);
  assert.match(flags[0], /other traffic on the database: 40 statements in 1 s .*about 20 in this pass's 0.5 s/);
});

test('halves that disagree, failed and unanswered requests are each flagged', () => {
  const { halves, flags } = exactnessFlags({
    ...clean,
    errors: 2,
    unfinished: 1,
    secondHalf: { deltas: [d('a', 15, 1), d('b', 30, 1)], requests: 15 },
  });
  assert.deepEqual(halves, [1, 3]);
  assert.equal(flags.length, 3);
  assert.match(flags.join('\n'), /2 of 30 requests failed/);
  assert.match(flags.join('\n'), /1 requests were still unanswered/);
  assert.match(flags.join('\n'), /halves disagree \(1 vs 3 statements\/request\)/);
});

test('pg_stat_statements evictions during the pass are flagged; none or unknown is not', () => {
  assert.match(
    exactnessFlags({ ...clean, evictions: 2 }).flags.join('\n'),
    /evicted entries 2 times during the pass.*pg_stat_statements\.max/,
  );
  assert.deepEqual(exactnessFlags({ ...clean, evictions: 0 }).flags, []);
  assert.deepEqual(exactnessFlags({ ...clean, evictions: null }).flags, []);
});

test('a half with no requests is not compared', () => {
  const { flags } = exactnessFlags({ ...clean, secondHalf: { deltas: [], requests: 0 } });
  assert.deepEqual(flags, []);
});

test('the background of the quiet probe: calls, time and a few statement texts', () => {
  const bg = backgroundOf([d('a', 4, 1.5), d('b', 0, 0), d('c', 2, 0.25)], 1.0004);
  assert.deepEqual(bg, { seconds: 1, calls: 6, totalMs: 1.75, queries: ['qa', 'qc'] });
});

const ep = (endpoint: string, statementsPerRequest: number): EndpointAttribution => endpointRow(endpoint, { statementsPerRequest });
const result = attributionPass;

test('before and after pair by endpoint name, in the before order; one side may be missing', () => {
  const rows = pairAttributions(result('baseline', [ep('a', 21), ep('b', 1)]), result('after', [ep('b', 1), ep('c', 2)]));
  assert.deepEqual(
    rows.map((r) => [r.endpoint, r.before?.statementsPerRequest ?? null, r.after?.statementsPerRequest ?? null]),
    [
      ['a', 21, null],
      ['b', 1, 1],
      ['c', null, 2],
    ],
  );
  assert.deepEqual(pairAttributions(undefined, null), []);
});
