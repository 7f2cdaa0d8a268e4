// N+1 as ORMs write it: the per-row shapes from PostgreSQL's parser, their batched forms, and the
// per-endpoint detection over the attribution's statements (the blog fixture's real statement texts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureParser } from '../../activities/postgres/sql-parse';
import { perRowShape } from '../../activities/skills/database-optimization-analyzer/orm-n-plus-one/shape';
import { batchedSql } from '../../activities/skills/database-optimization-analyzer/orm-n-plus-one/batched';
import { guessOrm, ormHint } from '../../activities/skills/database-optimization-analyzer/orm-n-plus-one/orm-hint';
import {
  endpointNPlusOneFindings,
  type EndpointStatements,
} from '../../activities/skills/database-optimization-analyzer/orm-n-plus-one/detect';
import { endpointStatementsOf } from '../../activities/skills/database-optimization-analyzer/orm-n-plus-one/endpoints';
import { analyzeDatabaseEvidence } from '../../activities/skills/database-optimization-analyzer/analyze';
import { analyzerOptionsFor } from '../../activities/skills/database-optimization-analyzer/options';
import type { DatabaseEvidence } from '../../activities/skills/database-optimization-analyzer/findings';
import { parseTargetProfile } from '../../common/profile';

const Q = {
  tags: 'select "tags".* from "tags" inner join "article_tags" on "tags"."id" = "article_tags"."tag_id" where "article_tags"."article_id" in ($1)',
  favoritesCount:
    'select count(*) as "count" from (select "users".* from "users" inner join "favorites" on "users"."id" = "favorites"."user_id" ' +
    'where "favorites"."article_id" in ($1)) as "temp"',
  favorited: 'select "favorites".* from "favorites" where "user_id" = $1 and "article_id" = $2',
  following: 'select exists (select $3 from "follows" where "follower_id" = $1 and "followed_id" = $2) as following',
  author: 'select "users".* from "users" where "users"."id" in ($1)',
  page:
    'select "articles"."id", "author"."id" as "author:id" from "articles" left join "users" as "author" ' +
    'on "author"."id" = "articles"."author_id" where "articles"."id" in ($1, $2, $3)',
  articleBySlug: 'select "articles".* from "articles" where "slug" = $1',
  comments: 'select "comments".* from "comments" where "comments"."article_id" in ($1) order by "created_at" desc',
  reviewSummary: 'SELECT count(*)::int AS reviews, coalesce(avg(rating),0)::float AS rating FROM reviews WHERE product_id = $1',
};

before(async () => {
  assert.ok(await ensureParser());
});

test('shapes: association loader through a link table, per-row count over a subquery, EXISTS, two-key check, lazy getter', () => {
  const kind = (q: string) => perRowShape(q)?.kind ?? null;
  assert.equal(kind(Q.tags), 'association loader through a link table');
  assert.equal(perRowShape(Q.tags)?.via, 'article_tags');
  assert.equal(kind(Q.favoritesCount), 'per-row count');
  assert.equal(kind(Q.following), 'per-row EXISTS');
  assert.equal(kind(Q.favorited), 'per-row existence check');
  assert.equal(kind(Q.author), 'lazy getter by primary key');
  assert.equal(kind(Q.reviewSummary), 'per-row count');
  assert.equal(kind('SELECT * FROM t WHERE id = ANY($1)'), 'lazy getter by primary key');
});

test('shapes at the boundaries: a join that is not a link-table loader, two keys, three keys, no key, a cross join', () => {
  // The key filters the selected table itself (a join to its author): a per-row join, not a link-table loader.
  const join = perRowShape(
    'select "articles".* from "articles" inner join "users" on "users"."id" = "articles"."author_id" where "articles"."id" = $1',
  );
  assert.equal(join?.kind, 'per-row join by key');
  // The link table's own columns are selected: not a pure link table.
  const wide = perRowShape(
    'select "tags".*, "article_tags".* from "tags" inner join "article_tags" on "tags"."id" = "article_tags"."tag_id" where "article_tags"."article_id" = $1',
  );
  assert.equal(wide?.kind, 'per-row join by key');
  // Two keys: the last parameter changes per row, the first stays for the request.
  const two = perRowShape(Q.favorited)!;
  assert.deepEqual([two.key.column, two.fixedKey?.column], ['article_id', 'user_id']);
  assert.equal(perRowShape('select * from f where a = $1 and b = $2 and c = $3'), null, 'three keys');
  assert.equal(perRowShape('select * from f where a > $1'), null, 'a range is not a key');
  assert.equal(perRowShape('select * from a, b where a.id = $1'), null, 'a cross join');
  assert.equal(perRowShape(Q.page), null, 'IN with several parameters is already a batch');
  assert.equal(perRowShape('select a, count(*) from t where b = $1 group by a'), null, 'a grouped aggregate');
});

test('batched forms: = ANY with the key selected, GROUP BY per key for counts, the keys that exist, LATERAL for a per-key LIMIT', () => {
  const b = (q: string) => batchedSql(perRowShape(q)!);
  assert.equal(
    b(Q.tags),
    'select "article_tags"."article_id", "tags".* from "tags" inner join "article_tags" on "tags"."id" = "article_tags"."tag_id" ' +
      'where "article_tags"."article_id" = ANY($1)',
  );
  assert.equal(
    b(Q.favoritesCount),
    'select "favorites"."article_id", count(*) as "count" from "users" inner join "favorites" on "users"."id" = "favorites"."user_id" ' +
      'where "favorites"."article_id" = ANY($1) group by "favorites"."article_id"',
  );
  assert.equal(b(Q.favorited), 'select distinct "article_id" from "favorites" where "user_id" = $1 and "article_id" = ANY($2)');
  assert.equal(b(Q.following), 'select distinct "followed_id" from "follows" where "follower_id" = $1 and "followed_id" = ANY($2)');
  assert.equal(b(Q.author), 'select "users".* from "users" where "users"."id" = ANY($1)');
  assert.equal(
    b(Q.reviewSummary),
    'SELECT product_id, count(*)::int AS reviews, coalesce(avg(rating),0)::float AS rating FROM reviews WHERE product_id = ANY($1) group by product_id',
  );
  assert.equal(
    b('SELECT 1 AS "a" FROM "f" WHERE "f"."u" = $1 AND "f"."a" = $2 LIMIT 1'),
    'select distinct "f"."a" FROM "f" WHERE "f"."u" = $1 AND "f"."a" = ANY($2)',
  );
  assert.equal(b('SELECT * FROM t WHERE x = $1::int'), 'SELECT * FROM t WHERE x = ANY($1::int[])');
  // Django: a lazy getter by primary key with get()'s LIMIT 21; an exists() by one key.
  assert.equal(
    b('SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."id" = $1 LIMIT 21'),
    'SELECT "users"."id", "users"."name" FROM "users" WHERE "users"."id" = ANY($1)',
  );
  assert.equal(perRowShape('SELECT 1 AS "a" FROM "follows" WHERE "follows"."to_id" = $1 LIMIT 1')?.kind, 'per-row existence check');
  assert.equal(
    b('SELECT 1 AS "a" FROM "follows" WHERE "follows"."to_id" = $1 LIMIT 1'),
    'select distinct "follows"."to_id" FROM "follows" WHERE "follows"."to_id" = ANY($1)',
  );
  assert.match(
    b('SELECT * FROM c WHERE post_id = $1 ORDER BY id DESC LIMIT $2'),
    /^select k\.key, t\.\* from unnest\(\$1\) as k\(key\) cross join lateral \(SELECT \* FROM c WHERE post_id = k\.key ORDER BY id DESC LIMIT \$2\) as t$/,
  );
});

test('the ORM guess from the SQL text', () => {
  assert.equal(guessOrm(Q.tags), 'Objection.js/Knex');
  assert.equal(guessOrm('SELECT COUNT(*) AS "__count" FROM "articles_article" WHERE "articles_article"."author_id" = $1'), 'Django');
  assert.equal(guessOrm('SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2'), 'ActiveRecord');
  assert.equal(guessOrm('SELECT "id", "name" FROM "Users" AS "User" WHERE "User"."id" = $1'), 'Sequelize');
  assert.equal(guessOrm(Q.reviewSummary), null);
});

const REQ = 30;
const st = (queryid: string, query: string, callsPerRequest: number, rowsPerCall = 1, msPerCall = 0.1) => ({
  queryid,
  query,
  calls: callsPerRequest * REQ,
  totalMs: callsPerRequest * REQ * msPerCall,
  rows: callsPerRequest * REQ * rowsPerCall,
});

/** The blog fixture's attribution passes (statements per endpoint as measured alone). */
const BLOG: EndpointStatements[] = [
  {
    endpoint: 'articles',
    requests: REQ,
    dbMsPerRequest: 12,
    wallMsPerRequest: 30,
    statements: [
      st('1', Q.tags, 20, 3),
      st('2', Q.favoritesCount, 20),
      st('3', Q.favorited, 20, 0.2),
      st('4', Q.following, 20),
      st('5', Q.page, 1, 20),
    ],
  },
  {
    endpoint: 'article',
    requests: REQ,
    dbMsPerRequest: 1,
    wallMsPerRequest: 4,
    statements: [st('6', Q.articleBySlug, 1), st('7', Q.author, 1)],
  },
  {
    endpoint: 'comments',
    requests: REQ,
    dbMsPerRequest: 2,
    wallMsPerRequest: 6,
    statements: [st('6', Q.articleBySlug, 1), st('8', Q.comments, 1, 5), st('7', Q.author, 5)],
  },
];
const target = parseTargetProfile({
  name: 'blog',
  http: { baseUrl: 'http://127.0.0.1:3200', endpoints: [{ name: 'articles', path: '/api/articles' }] },
  database: { urlEnv: 'BLOG_DATABASE_URL' },
  targets: { p95Ms: 100, p99Ms: 200, throughputRps: 50 },
});
const opts = { minCallsPerRequest: 5, maxRowsPerCall: 10 };

test('per endpoint: the five N+1s of the blog, each naming its endpoint; the author load is one on article and five on comments', () => {
  const findings = endpointNPlusOneFindings(BLOG, target, opts);
  assert.deepEqual(
    findings.map((f) => f.id),
    ['n1-articles-1', 'n1-articles-2', 'n1-articles-3', 'n1-articles-4', 'n1-comments-7'],
  );
  for (const f of findings.slice(0, 4)) assert.match(f.title, /^N\+1 on endpoint articles: .* \(20 calls per request\)$/);
  const author = findings[4];
  assert.equal(author.title, 'N+1 on endpoint comments: lazy getter by primary key on users by id (5 calls per request)');
  assert.ok(author.evidence.includes(`statement: ${Q.author}`), author.evidence.join('\n'));
  assert.ok(
    author.evidence.some((e) =>
      /^0\.5 ms of database time per request of endpoint comments: 25% of its database time, 8% of its 6 ms mean latency/.test(e),
    ),
  );
  assert.ok(author.evidence.some((e) => /withGraphFetched.*a guess from the SQL shape: it reads like Objection\.js\/Knex/.test(e)));
  assert.equal(author.action.type, 'manual');
  assert.ok(!author.evidence.some((e) => /not exact/.test(e)));
  const flagged = endpointNPlusOneFindings(
    [{ ...BLOG[2], flags: ["the pass's halves disagree (7 vs 9 statements/request)"] }],
    target,
    opts,
  );
  assert.ok(flagged[0].evidence.some((e) => /^the endpoint's pass was not exact.*halves disagree/.test(e)));
});

test('per endpoint: a statement once per request is no N+1 (the threshold applies per endpoint, with slack just under it)', () => {
  const once = endpointNPlusOneFindings([{ ...BLOG[2], statements: [st('7', Q.author, 1)] }], target, opts);
  assert.deepEqual(once, []);
  const countOnce = endpointNPlusOneFindings(
    [{ ...BLOG[0], statements: [st('2', Q.favoritesCount, 1), st('9', Q.reviewSummary, 1)] }],
    target,
    opts,
  );
  assert.deepEqual(countOnce, [], 'a count once per request (a page total) is no N+1');
  // 5 per request but one request of 30 answered from a cache: 4.9 is still the five-row N+1; 4 is not.
  const almost = { ...BLOG[2], statements: [{ ...st('7', Q.author, 5), calls: 147 }] };
  assert.equal(endpointNPlusOneFindings([almost], target, opts).length, 1);
  assert.equal(endpointNPlusOneFindings([{ ...almost, statements: [st('7', Q.author, 4)] }], target, opts).length, 0);
});

test('the attribution artifact becomes per-endpoint statements; endpoints without database figures are left out', () => {
  const latency = { p50: 5, p95: 6, p99: 7, mean: 5.5 };
  const ep = (endpoint: string, statementsPerRequest: number | null) => ({
    endpoint,
    requests: REQ,
    errors: 0,
    latencyMs: latency,
    statementsPerRequest,
    dbMsPerRequest: statementsPerRequest === null ? null : 2,
    rowsPerRequest: null,
    topStatements: [],
    halves: null,
    exact: true,
    flags: [],
  });
  const artifact = {
    result: {
      phase: 'baseline' as const,
      requestsPerEndpoint: REQ,
      concurrency: 1 as const,
      background: null,
      problems: [],
      endpoints: [ep('comments', 7), ep('health', null)],
    },
    statements: { comments: [{ ...st('7', Q.author, 5), sharedBlksHit: 0, sharedBlksRead: 0 }], health: [] },
  };
  const out = endpointStatementsOf(artifact);
  assert.deepEqual(
    out.map((e) => [e.endpoint, e.requests, e.wallMsPerRequest, e.statements.length]),
    [['comments', REQ, 5.5, 1]],
  );
});

const evidence = (endpoints: EndpointStatements[] | null): DatabaseEvidence => ({
  windowRequests: 100,
  statements: BLOG.flatMap((e) => e.statements).map((s) => ({ ...s, sharedBlksHit: 0, sharedBlksRead: 0 })),
  advisor: null,
  qualstats: [],
  samplePlans: {},
  actual: {},
  health: null,
  extensions: null,
  endpoints,
});

test('the skill analysis: per endpoint when the evidence has the attribution, the same findings twice on the same data', () => {
  const opts2 = analyzerOptionsFor(target);
  const a = analyzeDatabaseEvidence(evidence(BLOG), opts2, target);
  const b = analyzeDatabaseEvidence(JSON.parse(JSON.stringify(evidence(BLOG))) as DatabaseEvidence, opts2, target);
  assert.deepEqual(a, b);
  const ids = a.findings.filter((f) => f.rootCause === 'n_plus_one').map((f) => f.id);
  assert.deepEqual([...ids].sort(), ['n1-articles-1', 'n1-articles-2', 'n1-articles-3', 'n1-articles-4', 'n1-comments-7']);
});

test('the skill analysis without attribution: over the mix, and the finding says it is an average', () => {
  const { findings } = analyzeDatabaseEvidence(evidence(null), analyzerOptionsFor(target), target);
  const n1 = findings.filter((f) => f.rootCause === 'n_plus_one');
  assert.ok(n1.length > 0);
  for (const f of n1) {
    assert.doesNotMatch(f.title, /endpoint/);
    assert.ok(
      f.evidence.some((e) => /averaged over the whole mix: per-endpoint attribution is off/.test(e)),
      f.evidence.join('\n'),
    );
  }
});

// Bookshelf 1.2 (on Knex) as the field test's RealWorld app sends them (docs/field-tests.md, section 2):
// every relation load is a `select distinct`, and a link-table loader selects the link's keys as `_pivot_*`.
const BOOKSHELF = {
  author: 'select distinct "users".* from "users" where "users"."id" in ($1)',
  favoritedBy:
    'select distinct "users".*, "favorites"."article" as "_pivot_article", "favorites"."article" as "_pivot_article", ' +
    '"favorites"."user" as "_pivot_user" from "users" inner join "favorites" on "favorites"."user" = "users"."id" ' +
    'where "favorites"."article" in ($1)',
  tags:
    'select distinct "tags".*, "articles_tags"."article" as "_pivot_article", "articles_tags"."article" as "_pivot_article", ' +
    '"articles_tags"."tag" as "_pivot_tag", "articles_tags"."created_at" as "_pivot_created_at" from "tags" ' +
    'inner join "articles_tags" on "articles_tags"."tag" = "tags"."id" where "articles_tags"."article" in ($1)',
  comments: 'select distinct "comments".* from "comments" where "comments"."article" in ($1)',
};

test('Bookshelf: a plain SELECT DISTINCT is still a per-row load; DISTINCT ON is not', () => {
  assert.equal(perRowShape(BOOKSHELF.author)?.kind, 'lazy getter by primary key');
  assert.equal(perRowShape(BOOKSHELF.comments)?.kind, 'lookup by key');
  // The link's two keys as `_pivot_*`: still a loader through the link table.
  assert.equal(perRowShape(BOOKSHELF.favoritedBy)?.kind, 'association loader through a link table');
  assert.equal(perRowShape(BOOKSHELF.favoritedBy)?.via, 'favorites');
  // withPivot(['created_at']) reads a column of the link's own: a join filtered by one key.
  assert.ok(perRowShape(BOOKSHELF.tags));
  // One row per DISTINCT ON group across all keys once batched: not the same result, so no shape.
  assert.equal(perRowShape('select distinct on ("article") "comments".* from "comments" where "comments"."article" = $1'), null);
  // Batched: the key joins the DISTINCT select list, so rows stay distinct per key.
  assert.equal(
    batchedSql(perRowShape(BOOKSHELF.comments)!),
    'select distinct "comments".* from "comments" where "comments"."article" = ANY($1)',
  );
  assert.equal(
    batchedSql(perRowShape('select distinct "tags"."name" from "tags" where "tags"."group" = $1')!),
    'select distinct "tags"."group", "tags"."name" from "tags" where "tags"."group" = ANY($1)',
  );
});

test('Bookshelf: the ORM guess names it (its _pivot_ aliases, its select distinct loads) and its eager-loading call', () => {
  assert.equal(guessOrm(BOOKSHELF.favoritedBy), 'Bookshelf');
  assert.equal(guessOrm(BOOKSHELF.author), 'Bookshelf');
  assert.equal(guessOrm(Q.tags), 'Objection.js/Knex');
  const s = perRowShape(BOOKSHELF.tags)!;
  assert.match(ormHint(BOOKSHELF.tags, s)!.hint, /withRelated/);
});

test('Bookshelf: the list page of the field test, per endpoint: the three loaders at 20 per request, the comment authors at 150', () => {
  const eps: EndpointStatements[] = [
    {
      endpoint: 'article-list',
      requests: REQ,
      dbMsPerRequest: 160,
      wallMsPerRequest: 250,
      statements: [st('a', BOOKSHELF.author, 20), st('f', BOOKSHELF.favoritedBy, 20, 2), st('t', BOOKSHELF.tags, 20, 3)],
    },
    { endpoint: 'comments', requests: REQ, dbMsPerRequest: 42, wallMsPerRequest: 136, statements: [st('a', BOOKSHELF.author, 150)] },
  ];
  const found = endpointNPlusOneFindings(eps, target, opts);
  assert.deepEqual(found.map((f) => f.id).sort(), ['n1-article-list-a', 'n1-article-list-f', 'n1-article-list-t', 'n1-comments-a']);
  for (const f of found) assert.match(f.title, f.id.startsWith('n1-comments') ? /\(150 calls per request\)$/ : /\(20 calls per request\)$/);
});
