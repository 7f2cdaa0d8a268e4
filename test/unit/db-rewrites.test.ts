// Query rewrites (issue 10, item 4): each detector at its boundaries, and the rewritten SQL printed
// from the tree (it parses again, and prints the same).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureParser } from '../../activities/postgres/sql-parse';
import { select as deparse, UnsupportedSql } from '../../activities/postgres/sql-deparse';
import { parseSelectTree } from '../../activities/postgres/sql-tree';
import { detectRewrite } from '../../activities/skills/database-optimization-analyzer/rewrites/detect';
import { countOverJoins, unusedJoins } from '../../activities/skills/database-optimization-analyzer/rewrites/joins';
import { functionOnIndexedColumn } from '../../activities/skills/database-optimization-analyzer/rewrites/indexed-column';
import { correlatedCountToJoin } from '../../activities/skills/database-optimization-analyzer/rewrites/subquery';
import { keysetPagination, previousKeyTree } from '../../activities/skills/database-optimization-analyzer/rewrites/keyset';
import { rewriteFinding, rewriteRejected } from '../../activities/skills/database-optimization-analyzer/rewrites/finding';
import type { KeysOf, RewriteEvidence, TableKeys } from '../../activities/skills/database-optimization-analyzer/rewrites/types';

const TABLES: TableKeys[] = [
  {
    schema: 'public',
    name: 'articles',
    columns: ['id', 'slug', 'title', 'author_id', 'created_at'],
    notNull: ['id', 'slug'],
    uniqueKeys: [['id'], ['slug']],
  },
  { schema: 'public', name: 'users', columns: ['id', 'username', 'email'], notNull: ['id'], uniqueKeys: [['id']] },
  {
    schema: 'public',
    name: 'favorites',
    columns: ['user_id', 'article_id'],
    notNull: ['user_id', 'article_id'],
    uniqueKeys: [['user_id', 'article_id']],
  },
  { schema: 'public', name: 'tags', columns: ['id', 'name'], notNull: ['id'], uniqueKeys: [] },
  {
    schema: 'public',
    name: 'events',
    columns: ['id', 'at', 'day', 'kind', 'logged_at'],
    notNull: ['id'],
    uniqueKeys: [['id']],
    types: { id: 'integer', at: 'timestamp with time zone', day: 'date', kind: 'text', logged_at: 'timestamp without time zone' },
    indexLeading: ['id', 'at', 'day'],
  },
];
const keysOf: KeysOf = (rel) => TABLES.find((t) => t.name === rel.name && (rel.schema === null || rel.schema === t.schema)) ?? null;
const OPTS = { minOffset: 1000, wideMinWidth: 500, wideMinRowsPerCall: 10 };

function tree(sql: string) {
  const t = parseSelectTree(sql);
  assert.ok(t, `parses: ${sql}`);
  return t;
}

const BLOG_COUNT =
  'select count(distinct "articles"."id") as "count" from "articles" left join "users" as "author" on "author"."id" = "articles"."author_id" ' +
  'left join "favorites" as "favoritedBy_join" on "favoritedBy_join"."article_id" = "articles"."id" ' +
  'left join "users" as "favoritedBy" on "favoritedBy_join"."user_id" = "favoritedBy"."id"';

before(async () => {
  assert.equal(await ensureParser(), true);
});

test('deparse: the printed SQL parses to the same tree (round trip), identifiers quoted', () => {
  for (const sql of [
    BLOG_COUNT,
    'SELECT a.id, lower(a.title) AS t FROM articles a JOIN users u ON u.id = a.author_id AND u.email IS NOT NULL ' +
      'WHERE a.id IN (1, 2) AND a.slug = ANY($1) ORDER BY a.created_at DESC NULLS LAST LIMIT 20 OFFSET $2',
    "SELECT count(*) FROM articles WHERE NOT (title = 'it''s' OR created_at::date > '2020-01-01') " +
      'AND EXISTS (SELECT 1 FROM users WHERE users.id = articles.author_id)',
  ]) {
    const once = deparse(tree(sql));
    assert.equal(deparse(tree(once)), once, `stable: ${once}`);
  }
  assert.match(
    deparse(tree(BLOG_COUNT)),
    /^SELECT count\(DISTINCT "articles"\."id"\) AS "count" FROM "articles" LEFT JOIN "users" AS "author" ON/,
  );
  assert.throws(() => deparse(tree('SELECT 1 UNION SELECT 2')), UnsupportedSql);
  assert.throws(() => deparse(tree('SELECT row_number() OVER () FROM articles')), UnsupportedSql);
});

test('count(DISTINCT key) over LEFT JOINs -> count(*) on the base table, with the condition', () => {
  const r = detectRewrite(tree(BLOG_COUNT), keysOf, OPTS);
  assert.equal(r?.kind, 'count_over_joins');
  assert.equal(deparse(r.tree), 'SELECT count(*) AS "count" FROM "articles"');
  assert.deepEqual(r.dropped, ['author', 'favoritedBy_join', 'favoritedBy']);
  assert.match(r.condition, /LEFT JOIN.*unique and NOT NULL/);
  const where = countOverJoins(tree(`${BLOG_COUNT} where "articles"."slug" > $1`), keysOf);
  assert.equal(deparse(where!.tree), 'SELECT count(*) AS "count" FROM "articles" WHERE ("articles"."slug" > $1)');
});

test('count over joins does not fire when the joins can change the count', () => {
  const no = (sql: string, why: string) => assert.equal(countOverJoins(tree(sql), keysOf), null, why);
  no(BLOG_COUNT.replace('left join "favorites"', 'join "favorites"'), 'an inner join filters base rows');
  no(`${BLOG_COUNT} where "favoritedBy"."id" = 3`, 'WHERE on a joined table filters');
  no(BLOG_COUNT.replace('distinct "articles"."id"', 'distinct "articles"."author_id"'), 'author_id is not unique');
  no(BLOG_COUNT.replace('count(distinct "articles"."id")', 'count("articles"."id")'), 'no DISTINCT: the fan-out counts');
  no(BLOG_COUNT.replace('"articles"."id") as', '"articles"."title") as'), 'not a key');
  no(`${BLOG_COUNT} group by "articles"."author_id"`, 'grouped');
});

test('count(DISTINCT key) over the table alone (Bookshelf fetchPage) -> count(*), any WHERE; not over a non-key or a nullable key', () => {
  const bookshelf = 'select count(distinct "articles"."id") from "articles"';
  const r = detectRewrite(tree(bookshelf), keysOf, OPTS);
  assert.equal(r?.kind, 'count_over_joins');
  assert.equal(deparse(r.tree), 'SELECT count(*) FROM "articles"');
  assert.deepEqual(r.dropped, []);
  assert.match(r.condition, /reads public\.articles alone, and articles\.id is unique and NOT NULL/);
  // The filters of the author and tag pages: subqueries in the WHERE cannot repeat a row of one table.
  const tagPage = `${bookshelf} where id IN (SELECT article FROM articles_tags WHERE tag = (SELECT id FROM tags WHERE name = $1))`;
  assert.equal(
    deparse(countOverJoins(tree(tagPage), keysOf)!.tree),
    'SELECT count(*) FROM "articles" WHERE ("id" IN (SELECT "article" FROM "articles_tags" WHERE ("tag" = (SELECT "id" FROM "tags" WHERE ("name" = $1)))))',
  );
  assert.equal(
    deparse(countOverJoins(tree('select count(distinct id) from articles a where a.slug > $1'), keysOf)!.tree),
    'SELECT count(*) FROM "articles" AS "a" WHERE ("a"."slug" > $1)',
  );
  const no = (sql: string, why: string) => assert.equal(countOverJoins(tree(sql), keysOf), null, why);
  no('select count(distinct author_id) from articles', 'author_id is not unique');
  no('select count(distinct id) from tags', 'tags.id has no unique index');
  const emailUnique: KeysOf = (rel) => (rel.name === 'users' ? { ...TABLES[1], uniqueKeys: [['id'], ['email']] } : null);
  assert.equal(
    countOverJoins(tree('select count(distinct email) from users'), emailUnique),
    null,
    'email is unique but nullable: NULLs are not counted',
  );
  assert.ok(countOverJoins(tree('select count(distinct id) from users'), emailUnique), 'id is unique and NOT NULL');
  no('select count(distinct "x"."id") from "articles"', 'qualified by another name');
  no('select count(distinct id) from articles group by slug', 'grouped');
  no('select count(distinct id) from articles limit 1', 'limited');
});

test('a LEFT JOIN to a unique key nothing reads is dropped; one whose column is read, or to a non-unique key, is kept', () => {
  const used =
    'select "articles"."id", "author"."username" from "articles" left join "users" as "author" on "author"."id" = "articles"."author_id"';
  assert.equal(unusedJoins(tree(used), keysOf), null, 'author.username is selected');
  const unused =
    'select "articles"."id", "articles"."title" from "articles" left join "users" as "author" ' +
    'on "author"."id" = "articles"."author_id" where "articles"."id" > 5';
  const r = unusedJoins(tree(unused), keysOf);
  assert.equal(deparse(r!.tree), 'SELECT "articles"."id", "articles"."title" FROM "articles" WHERE ("articles"."id" > 5)');
  assert.deepEqual(r!.dropped, ['author']);
  const nonUnique = 'select "articles"."id" from "articles" left join "favorites" as "f" on "f"."article_id" = "articles"."id"';
  assert.equal(unusedJoins(tree(nonUnique), keysOf), null, 'favorites.article_id is not unique: the join multiplies rows');
  const noKeys = 'select "articles"."id" from "articles" left join "tags" on "tags"."id" = "articles"."id"';
  assert.equal(unusedJoins(tree(noKeys), keysOf), null, 'tags.id has no unique index');
  const star = 'select * from "articles" left join "users" as "author" on "author"."id" = "articles"."author_id"';
  assert.equal(unusedJoins(tree(star), keysOf), null, '* reads the joined columns');
  const unqualified = 'select "username" from "articles" left join "users" as "author" on "author"."id" = "articles"."author_id"';
  assert.equal(unusedJoins(tree(unqualified), keysOf), null, 'an unqualified column of the joined table');
  const inner = 'select "articles"."id" from "articles" join "users" as "author" on "author"."id" = "articles"."author_id"';
  assert.equal(unusedJoins(tree(inner), keysOf), null, 'an inner join filters');
});

test('deep OFFSET on a unique NOT NULL order -> keyset; under the threshold, on a non-unique order, or with an aggregate: nothing', () => {
  const archive = 'select "id", "slug", "title", "created_at" from "articles" order by "id" asc limit $1 offset $2';
  const r = keysetPagination(tree(archive), keysOf, OPTS);
  assert.equal(deparse(r!.tree), 'SELECT "id", "slug", "title", "created_at" FROM "articles" WHERE ("id" > $2) ORDER BY "id" ASC LIMIT $1');
  assert.deepEqual(r!.keyset, { column: 'id', desc: false, offset: null, lastKeyParam: 2 });
  const literal = keysetPagination(
    tree('select id from articles where title is not null order by id desc limit 20 offset 90000'),
    keysOf,
    OPTS,
  );
  assert.equal(
    deparse(literal!.tree),
    'SELECT "id" FROM "articles" WHERE (("title" IS NOT NULL) AND ("id" < $1)) ORDER BY "id" DESC LIMIT 20',
  );
  assert.equal(literal!.keyset!.offset, 90000);
  assert.equal(
    deparse(previousKeyTree(tree('select id from articles order by id limit 20 offset 90000'), 90000)!),
    'SELECT "id" AS "last_key" FROM "articles" ORDER BY "id" LIMIT 1 OFFSET 89999',
  );
  assert.equal(
    keysetPagination(tree('select id from articles order by id limit 20 offset 999'), keysOf, OPTS),
    null,
    'under the threshold',
  );
  assert.equal(
    keysetPagination(tree('select id from articles order by created_at limit 20 offset 5000'), keysOf, OPTS),
    null,
    'not unique',
  );
  assert.equal(keysetPagination(tree('select id from articles order by title limit 20 offset 5000'), keysOf, OPTS), null, 'not a key');
  assert.equal(keysetPagination(tree('select count(*) from articles order by id limit 20 offset 5000'), keysOf, OPTS), null, 'aggregate');
  assert.equal(keysetPagination(tree('select id from articles order by id limit 20'), keysOf, OPTS), null, 'no offset');
});

test('a rewrite whose proof shows other rows, or that saves too little, is no finding; a proven one is a manual item', () => {
  const figures = (executionMs: number) => ({ executionMs, planningMs: 0.1, sharedHit: 10, sharedRead: 0, plan: 'Seq Scan on articles' });
  const proof = (equal: boolean) => ({ equal, rowsBefore: 1, rowsAfter: 1, method: 'row count and md5' });
  const base: RewriteEvidence = {
    queryid: '42',
    query: BLOG_COUNT,
    calls: 100,
    totalMs: 25_000,
    kind: 'count_over_joins',
    rewritten: 'SELECT count(*) AS "count" FROM "articles"',
    condition: 'every join is a LEFT JOIN',
    table: 'public.articles',
    dropped: ['author'],
    keyset: null,
    sample: null,
    measured: { before: figures(250), after: figures(10), proof: proof(true), proofProblem: null },
    problem: null,
  };
  const f = rewriteFinding(base, 50, 20)!;
  assert.equal(f.rootCause, 'query_rewrite');
  assert.equal(f.action.type, 'manual');
  assert.equal(f.estimatedLatencyReductionMs, 480); // 240 ms x 100 calls / 50 requests
  assert.match(f.title, /250 -> 10 ms per call \(-96%\), same result proven/);
  assert.equal(
    rewriteRejected({ ...base, measured: { ...base.measured!, proof: proof(false) } }, 20),
    'it returned other results on the real data',
  );
  assert.equal(rewriteFinding({ ...base, measured: { ...base.measured!, proof: proof(false) } }, 50, 20), null);
  assert.match(rewriteRejected({ ...base, measured: { ...base.measured!, after: figures(220) } }, 20)!, /saves 12% .* under 20%/);
  const tiny = { ...base, measured: { ...base.measured!, before: figures(0.2), after: figures(0.1) } };
  assert.equal(rewriteRejected(tiny, 20), null, '50% of 0.2 ms passes the percentage alone');
  assert.match(rewriteRejected(tiny, 20, 1)!, /under 20% or 1 ms per call/);
  const unproven = rewriteFinding({ ...base, measured: null, problem: 'not measured nor proven: no values' }, 50, 20)!;
  assert.match(unproven.title, /not measured/);
  assert.equal(unproven.risk, 'medium');
  assert.equal(unproven.estimatedLatencyReductionMs, 0);
  // Over one table: what it is and where Bookshelf writes it.
  const alone = rewriteFinding({ ...base, query: 'select count(distinct "articles"."id") from "articles"', dropped: [] }, 50, 20)!;
  assert.match(alone.title, /count\(\*\) on public\.articles instead of count\(DISTINCT\) of its unique key/);
  assert.ok(
    alone.evidence.some((e) => /Bookshelf: Article\.fetchPage\(\).*disableCount: true/.test(e)),
    alone.evidence.join('\n'),
  );
});

test('a correlated count per row -> one grouped count joined once; not when it is correlated otherwise or reads the outer table', () => {
  const sql =
    'select "articles"."id", (select count(*) from "favorites" as "f" where "f"."article_id" = "articles"."id" and "f"."user_id" > 5) as "n" ' +
    'from "articles" where "articles"."id" < 100';
  const r = detectRewrite(tree(sql), keysOf, OPTS);
  assert.equal(r?.kind, 'correlated_count');
  assert.equal(
    deparse(r.tree),
    'SELECT "articles"."id", coalesce("rw_count_1"."n", 0) AS "n" FROM "articles" LEFT JOIN (SELECT "f"."article_id" AS "k", count(*) AS "n" ' +
      'FROM "favorites" AS "f" WHERE ("f"."user_id" > 5) GROUP BY "f"."article_id") AS "rw_count_1" ON ("rw_count_1"."k" = "articles"."id") ' +
      'WHERE ("articles"."id" < 100)',
  );
  const no = (q: string, why: string) => assert.equal(correlatedCountToJoin(tree(q)), null, why);
  no('select a.id, (select count(*) from favorites f where f.user_id > a.id) from articles a', 'not an equality');
  no(
    'select a.id, (select count(*) from favorites f where f.article_id = a.id and f.user_id = a.author_id) from articles a',
    'two outer columns',
  );
  no('select a.id, (select max(f.user_id) from favorites f where f.article_id = a.id) from articles a', 'not count(*)');
  no(
    'select a.author_id, (select count(*) from favorites f where f.article_id = a.id) from articles a group by a.author_id',
    'grouped outer',
  );
  no('select a.id, (select count(*) from favorites f) from articles a', 'not correlated');
});

test('date() per row on an indexed timestamp -> a range the index serves; not on an unindexed column, a date column, or against a column', () => {
  const r = detectRewrite(tree("select id from events where kind = 'x' and date(at) = $1"), keysOf, OPTS);
  assert.equal(r?.kind, 'function_on_indexed_column');
  assert.equal(deparse(r.tree), `SELECT "id" FROM "events" WHERE (("kind" = 'x') AND ("at" >= $1::date) AND ("at" < ($1::date + 1)))`);
  const cast = functionOnIndexedColumn(tree("select e.id from events e where e.at::date = '2026-11-30'"), keysOf);
  assert.equal(
    deparse(cast!.tree),
    `SELECT "e"."id" FROM "events" AS "e" WHERE (("e"."at" >= '2026-11-30'::date) AND ("e"."at" < ('2026-11-30'::date + 1)))`,
  );
  const no = (q: string, why: string) => assert.equal(functionOnIndexedColumn(tree(q), keysOf), null, why);
  no("select id from events where date(logged_at) = '2026-11-30'", 'no index leads with logged_at');
  no("select id from events where date(day) = '2026-11-30'", 'already a date');
  no('select id from events e where date(e.at) = e.day', 'compared with a column');
  no("select id from events where date(at) > '2026-11-30'", 'not an equality');
});
