// Query rewrites of issue 10 item 4, second part: per-row functions beyond date() (extract(year),
// date_trunc(), col + c) and wide unused columns, each at its boundaries; the rewritten SQL printed
// from the tree parses again to the same text.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureParser } from '../../activities/postgres/sql-parse';
import { select as deparse } from '../../activities/postgres/sql-deparse';
import { parseSelectTree } from '../../activities/postgres/sql-tree';
import { detectRewrite } from '../../activities/skills/database-optimization-analyzer/rewrites/detect';
import { functionOnIndexedColumn } from '../../activities/skills/database-optimization-analyzer/rewrites/indexed-column';
import { wideColumns } from '../../activities/skills/database-optimization-analyzer/rewrites/wide-columns';
import { rewriteFinding, rewriteRejected } from '../../activities/skills/database-optimization-analyzer/rewrites/finding';
import type { KeysOf, RewriteEvidence, TableKeys } from '../../activities/skills/database-optimization-analyzer/rewrites/types';

const EVENTS: TableKeys = {
  schema: 'public',
  name: 'events',
  columns: ['id', 'at', 'logged_at', 'day', 'n', 'score', 'amount', 'note'],
  notNull: ['id'],
  uniqueKeys: [['id']],
  types: {
    id: 'integer',
    at: 'timestamp with time zone',
    logged_at: 'timestamp without time zone',
    day: 'date',
    n: 'bigint',
    score: 'double precision',
    amount: 'numeric',
    note: 'text',
  },
  indexLeading: ['id', 'at', 'logged_at', 'day', 'n', 'score'],
};
const POSTS: TableKeys = {
  schema: 'public',
  name: 'posts',
  columns: ['id', 'title', 'body', 'meta', 'created_at'],
  notNull: ['id'],
  uniqueKeys: [['id']],
  widths: { id: 4, title: 30, body: 2400, meta: 499, created_at: 8 },
};
const USERS: TableKeys = {
  schema: 'public',
  name: 'users',
  columns: ['id', 'name', 'bio'],
  notNull: ['id'],
  uniqueKeys: [['id']],
  widths: { id: 4, name: 12, bio: 900 },
};
const keysOf: KeysOf = (rel) => [EVENTS, POSTS, USERS].find((t) => t.name === rel.name) ?? null;
const OPTS = { minOffset: 1000, wideMinWidth: 500, wideMinRowsPerCall: 10 };

function tree(sql: string) {
  const t = parseSelectTree(sql);
  assert.ok(t, `parses: ${sql}`);
  return t;
}

/** The rewrite of `sql`, printed, checked to print the same after a parse. */
function rewritten(sql: string): string | null {
  const r = functionOnIndexedColumn(tree(sql), keysOf);
  if (!r) return null;
  const text = deparse(r.tree);
  assert.equal(deparse(tree(text)), text, 'round trip');
  return text;
}

before(async () => {
  assert.equal(await ensureParser(), true);
});

test('extract(year) / date_part(year) on an indexed timestamp(tz) -> a range between the years, make_timestamptz for a timestamptz', () => {
  assert.equal(
    rewritten('select id from events where extract(year from at) = 2024'),
    'SELECT "id" FROM "events" WHERE (("at" >= make_timestamptz(2024, 1, 1, 0, 0, 0)) AND ("at" < make_timestamptz(2025, 1, 1, 0, 0, 0)))',
  );
  assert.equal(
    rewritten(`select id from events where date_part('year', logged_at) = $1 and note = 'x'`),
    'SELECT "id" FROM "events" WHERE (("logged_at" >= make_timestamp($1, 1, 1, 0, 0, 0)) AND ("logged_at" < make_timestamp(($1 + 1), 1, 1, 0, 0, 0)) ' +
      `AND ("note" = 'x'))`,
  );
  assert.match(
    rewritten(`select id from events where '2024' = extract(year from at)`)!,
    /make_timestamptz\(2025,/,
    'the value on the left',
  );
  const r = functionOnIndexedColumn(tree('select id from events where extract(year from at) = 2024'), keysOf)!;
  assert.deepEqual(r.perRow, { shape: 'year', column: 'at' });
  assert.match(r.condition, /January 1 of N <= at < January 1 of N \+ 1.*session's TimeZone/);
  const no = (q: string, why: string) => assert.equal(rewritten(q), null, why);
  no('select id from events where extract(month from at) = 3', 'a month is not one range');
  no('select id from events where extract(year from at) = 2024.5', 'not a whole year');
  no('select id from events where extract(year from at) = 0', 'no year 0');
  no('select id from events where extract(year from day) = 2024', 'a date column: not a timestamp');
  no('select id from events where extract(year from at) > 2024', 'not an equality');
  no('select id from events e where extract(year from e.at) = e.n', 'compared with a column');
});

test('date_trunc(unit, ts) = X -> the range [X, X + 1 unit) with date_trunc(unit, X) = X on X alone; no clock units on a timestamptz', () => {
  assert.equal(
    rewritten(`select id from events where date_trunc('month', at) = $1`),
    `SELECT "id" FROM "events" WHERE (("at" >= $1::timestamptz) AND ("at" < ($1::timestamptz + '1 month'::interval)) ` +
      `AND (date_trunc('month', $1::timestamptz) = $1::timestamptz))`,
  );
  assert.match(rewritten(`select id from events where date_trunc('week', at) = '2024-03-04'`)!, /'7 days'::interval/);
  assert.match(rewritten(`select id from events where date_trunc('hour', logged_at) = $1`)!, /\$1::timestamp \+ '1 hour'::interval/);
  const r = functionOnIndexedColumn(tree(`select id from events where date_trunc('day', at) = $1`), keysOf)!;
  assert.match(r.condition, /X is itself truncated to the day.*one-time filter/);
  const no = (q: string, why: string) => assert.equal(rewritten(q), null, why);
  no(`select id from events where date_trunc('hour', at) = $1`, 'hours of a timestamptz repeat or vanish at DST changes');
  no(`select id from events where date_trunc('month', at, 'UTC') = $1`, 'the three-argument form');
  no(`select id from events where date_trunc('month', day) = $1`, 'a date column');
  no(`select id from events where date_trunc($2, at) = $1`, 'a unit that is not a constant');
});

test('col + c = v -> col = v - c on an indexed integer column; not on a float, not col * c, not lower(col)', () => {
  assert.equal(rewritten('select id from events where n + 0 = $1'), 'SELECT "id" FROM "events" WHERE ("n" = ($1::int8 - 0))', 'bigint');
  assert.equal(rewritten('select id from events where 3 + id = 10'), 'SELECT "id" FROM "events" WHERE ("id" = (10 - 3))');
  assert.equal(rewritten('select id from events where id - 1 = $1'), 'SELECT "id" FROM "events" WHERE ("id" = ($1 + 1))');
  const no = (q: string, why: string) => assert.equal(rewritten(q), null, why);
  no('select id from events where score + 1 = $1', 'float arithmetic is not exact');
  no('select id from events where amount + 1 = $1', 'numeric, but no index leads with amount');
  no('select id from events where id * 2 = $1', 'not + or -');
  no('select id from events where 1 - id = $1', 'c - col');
  no('select id from events where id + 0.5 = $1', 'not an integer constant');
  no('select id from events where lower(note) = $1', 'an expression index serves lower() (issue 13)');
});

test('a list statement with a wide column -> the same statement without it, * expanded in column order; the kept positions for the proof', () => {
  const r = wideColumns(tree('select * from posts where created_at > $1 order by created_at desc limit 50'), keysOf, OPTS, 50)!;
  assert.equal(
    deparse(r.tree),
    'SELECT "posts"."id", "posts"."title", "posts"."meta", "posts"."created_at" FROM "posts" WHERE ("created_at" > $1) ' +
      'ORDER BY "created_at" DESC LIMIT 50',
  );
  assert.deepEqual(r.wide, {
    columns: [{ table: 'public.posts', column: 'body', avgWidth: 2400 }],
    outputCount: 5,
    kept: [0, 1, 3, 4],
    ordered: true,
  });
  assert.match(r.condition, /same rows in the same order .* only if the caller does not read body/);
  const join = wideColumns(tree('select p.id, p.title, u.* from posts p join users u on u.id = p.id'), keysOf, OPTS, 10)!;
  assert.equal(
    deparse(join.tree),
    'SELECT "p"."id", "p"."title", "u"."id", "u"."name" FROM "posts" AS "p" JOIN "users" AS "u" ON ("u"."id" = "p"."id")',
  );
  assert.deepEqual(join.wide?.kept, [0, 1, 2, 3]);
  assert.equal(join.wide?.ordered, false);
  assert.equal(
    detectRewrite(tree('select * from posts'), keysOf, OPTS, 12)?.kind,
    'wide_columns',
    'through detectRewrite, with rows per call',
  );
  const no = (q: string, rowsPerCall: number | null, why: string) =>
    assert.equal(wideColumns(tree(q), keysOf, OPTS, rowsPerCall), null, why);
  no('select * from posts', 9, 'under 10 rows per call: not a list');
  no('select * from posts', null, 'rows per call unknown');
  no('select id, title, meta from posts', 50, 'meta is 499 bytes: under the threshold');
  no('select body from posts', 50, 'nothing would be left');
  no('select id, body as b from posts order by b', 50, 'ORDER BY the dropped alias');
  no('select id, body from posts order by 2', 50, 'ORDER BY position');
  no('select * from posts, lateral (select 1) x', 50, 'a FROM item without a known column list');
  no('select id, (select body from posts q where q.id = p.id) from posts p', 50, 'a subquery in the select list');
});

test('a wide_columns finding says what the caller must not read, the bytes and widths measured, and the ORM calls', () => {
  const figures = (executionMs: number) => ({
    executionMs,
    planningMs: 0.1,
    sharedHit: 10,
    sharedRead: 0,
    plan: 'Limit > Seq Scan on posts',
  });
  const r: RewriteEvidence = {
    queryid: '7',
    query: 'select * from posts order by created_at desc limit $1',
    calls: 200,
    totalMs: 2_000,
    kind: 'wide_columns',
    rewritten: 'SELECT "posts"."id", "posts"."title" FROM "posts" ORDER BY "created_at" DESC LIMIT $1',
    condition: 'the same rows',
    table: 'public.posts',
    dropped: [],
    keyset: null,
    wide: { columns: [{ table: 'public.posts', column: 'body', avgWidth: 2400 }], outputCount: 3, kept: [0, 1], ordered: true },
    sample: 1,
    measured: {
      before: figures(10),
      after: figures(2),
      bytes: { before: 120_000, after: 2_000 },
      planWidth: { before: 2440, after: 40 },
      proof: { equal: true, rowsBefore: 50, rowsAfter: 50, method: 'in order' },
      proofProblem: null,
    },
    problem: null,
  };
  const f = rewriteFinding(r, 100, 20)!;
  assert.match(f.title, /if the caller does not use body \(2400 bytes a value\), select the other columns of public\.posts: 10 -> 2 ms/);
  assert.ok(
    f.evidence.some((e) => /120000 -> 2000 bytes per call; the planner's row width 2440 -> 40 bytes/.test(e)),
    f.evidence.join('\n'),
  );
  assert.match((f.action as { steps: string[] }).steps[0], /^if the caller does not read body: change the application's query to: SELECT/);
  assert.ok(f.evidence.some((e) => /Django: \.defer\('body'\)/.test(e) && /TypeORM: .*select: false/.test(e)));
  const year = rewriteFinding(
    { ...r, kind: 'function_on_indexed_column', wide: undefined, perRow: { shape: 'year', column: 'at' } },
    100,
    20,
  )!;
  assert.match(year.title, /a predicate on the indexed column public\.posts\.at instead of extract\(year\) per row/);
  // Unmeasured (no values for its parameters): a wide-column rewrite is no finding, only a note saying why.
  const unmeasured = { ...r, measured: null, problem: 'not measured nor proven: the statement has parameters' };
  assert.equal(rewriteFinding(unmeasured, 100, 20), null);
  assert.match(rewriteRejected(unmeasured, 20)!, /^a wide-column rewrite is proposed on a measured saving only \(not measured nor proven/);
  assert.ok(year.evidence.some((e) => /Objection\/Knex: \.whereRaw\('extract\(year from at\) = \?', \[year\]\)/.test(e)));
});

test("pg_stat_statements' extract($2 from x) = $1 hides the field: no rewrite from the statement, one from its sample's values", () => {
  assert.equal(rewritten('select id from events where extract($2 from at) = $1'), null);
  assert.equal(rewritten('select id from events where date_trunc($1, at) = $2'), null);
  assert.match(rewritten("select id from events where extract(year from at) = 2024 and note = 'a'")!, /make_timestamptz\(2025,/);
});
