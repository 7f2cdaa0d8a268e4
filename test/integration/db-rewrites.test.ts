// Query rewrites (issue 10, item 4) on a real PostgreSQL: a blog-shaped schema (60k articles, 5k users,
// 180k favorites); the analyzer, with rewrites on, proposes count(*) for a count(DISTINCT) over unused
// LEFT JOINs and keyset pagination for a deep OFFSET page, each measured with EXPLAIN ANALYZE before and
// after and proven to return the same rows; it stays silent where a join filters, and runs nothing when
// rewrites are off (the default). Then per-row functions whose field pg_stat_statements made a parameter
// (extract(year), date_trunc) and a list that returns a TOASTed column, with their profile samples.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { analyzeDatabase } from '../../activities/skills/database-optimization-analyzer/activity';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { DatabaseProfile, Finding, StatementStat } from '../../common/types';
import { testPool } from '../helpers/services';

const DB = 'perf_test_rewrites_db';
let pool: Pool;
let target: TargetProfile;

const Q_COUNT =
  'select count(distinct "articles"."id") as "count" from "rw"."articles" left join "rw"."users" as "author" on "author"."id" = "articles"."author_id" ' +
  'left join "rw"."favorites" as "favoritedBy_join" on "favoritedBy_join"."article_id" = "articles"."id" ' +
  'left join "rw"."users" as "favoritedBy" on "favoritedBy_join"."user_id" = "favoritedBy"."id"';
const Q_PAGE = 'select "id", "slug", "title", "created_at" from "rw"."articles" order by "id" asc limit $1 offset $2';
const SAMPLE_PAGE = 'select "id", "slug", "title", "created_at" from "rw"."articles" order by "id" asc limit 20 offset 50000';
const Q_FILTERING = `${Q_COUNT} where "favoritedBy"."username" = 'user 7'`;
const Q_BY_AUTHOR = `${Q_COUNT} where "articles"."author_id" = $1`;
const DAY = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
const Q_DATE = `select "id", "title" from "rw"."articles" where date("created_at") = '${DAY}'`;
const Q_CORRELATED =
  'select "articles"."id", (select count(*) from "rw"."favorites" as "f" where "f"."article_id" = "articles"."id") as "favorites" ' +
  'from "rw"."articles" where "articles"."id" <= 60';

const stat = (queryid: string, query: string, calls: number, meanMs: number): StatementStat => ({
  queryid,
  query,
  calls,
  totalMs: calls * meanMs,
  meanMs,
  rows: calls,
  callsPerRequest: calls / 100,
});

const profile: DatabaseProfile = {
  available: true,
  problems: [],
  extensions: { pgStatStatements: true, hypopg: false },
  windowRequests: 100,
  dbTimeMs: 60_000,
  dbShareOfLatencyPct: 90,
  topStatements: [
    stat('1', Q_COUNT, 100, 300),
    stat('2', Q_PAGE, 100, 30),
    stat('3', Q_FILTERING, 50, 100),
    stat('4', Q_BY_AUTHOR, 50, 20),
    stat('5', Q_CORRELATED, 2, 200),
    stat('6', Q_DATE, 20, 20),
  ],
};

const OFF = { healthChecks: false, reportMissingExtensions: false, installHypopg: false };
const rewrites = (fs: Finding[]) => fs.filter((f) => f.rootCause === 'query_rewrite');
const quotes = (f: Finding, q: string) => f.evidence.some((e) => e.includes(q));

before(async () => {
  pool = await testPool(DB);
  await pool.query(`
    DROP SCHEMA IF EXISTS rw CASCADE;
    CREATE SCHEMA rw;
    CREATE TABLE rw.users (id serial PRIMARY KEY, username text NOT NULL UNIQUE, email text NOT NULL);
    INSERT INTO rw.users (username, email) SELECT 'user ' || g, 'u' || g || '@example.org' FROM generate_series(1, 5000) g;
    CREATE TABLE rw.articles (id serial PRIMARY KEY, slug text NOT NULL UNIQUE, title text NOT NULL, body text NOT NULL,
      author_id int NOT NULL REFERENCES rw.users, created_at timestamptz NOT NULL);
    INSERT INTO rw.articles (slug, title, body, author_id, created_at)
      SELECT 'article-' || g, 'title ' || g, repeat('body ', 40), 1 + g % 5000, now() - g * interval '1 minute' FROM generate_series(1, 60000) g;
    CREATE TABLE rw.favorites (user_id int NOT NULL REFERENCES rw.users, article_id int NOT NULL REFERENCES rw.articles, UNIQUE (user_id, article_id));
    INSERT INTO rw.favorites SELECT DISTINCT 1 + (g * 7919) % 5000, 1 + g % 60000 FROM generate_series(1, 180000) g;
  `);
  await pool.query('CREATE INDEX articles_created_at_idx ON rw.articles (created_at)');
  for (const t of ['users', 'articles', 'favorites']) await pool.query(`VACUUM ANALYZE rw.${t}`);
  target = parseTargetProfile({
    name: 'rewrites',
    http: { baseUrl: 'http://127.0.0.1:3999', endpoints: [{ name: 'articles', path: '/articles' }] },
    database: { urlEnv: 'RW_DATABASE_URL', schemas: ['rw'], advisor: { rewrites: true, sampleQueries: [SAMPLE_PAGE] } },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 50 },
  });
});

after(async () => {
  await pool?.end();
});

test('count(DISTINCT) over unused LEFT JOINs and a deep OFFSET page: rewritten, measured and proven on the real data', async () => {
  const { findings, notes } = await analyzeDatabase(pool, target, profile, OFF);
  const rw = rewrites(findings);
  if (process.env.RW_DUMP) console.log(JSON.stringify(rw, null, 2));
  const count = rw.find((f) => quotes(f, Q_COUNT.slice(0, 80)) && !quotes(f, 'where "'));
  assert.ok(count, `the count is rewritten: ${JSON.stringify(rw, null, 2)}\n${notes.join('\n')}`);
  assert.equal(count.action.type, 'manual');
  assert.ok(
    quotes(count, 'rewritten (printed from its parse tree): SELECT count(*) AS "count" FROM "rw"."articles"'),
    count.evidence.join('\n'),
  );
  assert.ok(quotes(count, 'same result on the real data: both return 1 row with equal hashes'), count.evidence.join('\n'));
  const saving = /before ([\d.]+) ms .* after ([\d.]+) ms .*saving ([\d.]+) ms per call \(([\d.]+)%\)/.exec(count.evidence.join('\n'));
  assert.ok(saving, count.evidence.join('\n'));
  const [before, afterMs] = [Number(saving[1]), Number(saving[2])];
  assert.ok(afterMs < before / 3, `count(*) on the base table is much faster: ${before} -> ${afterMs} ms`);
  assert.ok(count.estimatedLatencyReductionMs > 0);
  assert.ok(quotes(count, '.resultSize()'), 'the ORM hint names the call');

  const page = rw.find((f) => quotes(f, Q_PAGE));
  assert.ok(page, `the deep page gets keyset pagination: ${JSON.stringify(rw, null, 2)}\n${notes.join('\n')}`);
  assert.ok(quotes(page, 'WHERE ("id" > $2) ORDER BY "id" ASC LIMIT $1'), page.evidence.join('\n'));
  assert.ok(quotes(page, 'with the values of profile sample 1'), page.evidence.join('\n'));
  assert.ok(quotes(page, 'same result on the real data: both return 20 rows with equal hashes'), page.evidence.join('\n'));
  const p = /before ([\d.]+) ms .* after ([\d.]+) ms/.exec(page.evidence.join('\n'))!;
  assert.ok(Number(p[2]) < Number(p[1]) / 3, `keyset is much faster: ${p[1]} -> ${p[2]} ms`);
  assert.ok((page.action as { steps: string[] }).steps.some((s) => /must pass the previous page's last id as \$2/.test(s)));

  // A WHERE on a joined table filters: no count(*); the author join, which nothing reads, could go, but saves nothing here.
  assert.ok(!rw.some((f) => quotes(f, `"favoritedBy"."username" = 'user 7'`)), JSON.stringify(rw, null, 2));
  assert.ok(
    notes.some((n) => /the unused_join rewrite of statement 3 is not proposed: it saves -?[\d.]+% on the real data .* under 20%/.test(n)),
    notes.join('\n'),
  );
  const byAuthor = rw.find((f) => quotes(f, '"articles"."author_id" = $1'));
  assert.ok(byAuthor, 'a parameterized count is still proposed');
  assert.match(byAuthor.title, /not measured/);
  assert.ok(quotes(byAuthor, 'no sample query gives their values'), byAuthor.evidence.join('\n'));
});

test('a correlated count per row (no index on the key) becomes one grouped count: measured and proven, though called twice only', async () => {
  const { findings, notes } = await analyzeDatabase(pool, target, profile, OFF);
  const f = rewrites(findings).find((x) => quotes(x, Q_CORRELATED));
  assert.ok(f, notes.join('\n'));
  assert.match(f.title, /one grouped count of rw\.favorites joined once/);
  assert.ok(
    quotes(f, 'LEFT JOIN (SELECT "f"."article_id" AS "k", count(*) AS "n" FROM "rw"."favorites" AS "f" GROUP BY "f"."article_id")'),
  );
  assert.ok(quotes(f, 'same result on the real data: both return 60 rows with equal hashes'), f.evidence.join('\n'));
});

test('date() per row on an indexed timestamp becomes a range the index serves: measured and proven', async () => {
  const { findings, notes } = await analyzeDatabase(pool, target, profile, OFF);
  const f = rewrites(findings).find((x) => quotes(x, Q_DATE));
  assert.ok(f, notes.join('\n'));
  assert.ok(quotes(f, `WHERE (("created_at" >= '${DAY}'::date) AND ("created_at" < ('${DAY}'::date + 1)))`), f.evidence.join('\n'));
  assert.ok(quotes(f, 'same result on the real data: both return 1440 rows with equal hashes'), f.evidence.join('\n'));
  assert.ok(quotes(f, 'Index Scan using articles_created_at_idx') || quotes(f, 'Bitmap Index Scan'), f.evidence.join('\n'));
});

const Q_YEAR = 'select count(*) as "count" from "rw"."views" where extract($2 from viewed_at) = $1';
const Q_TRUNC = 'select count(*) from "rw"."views" where date_trunc($1, "viewed_at") = $2';
const Q_WIDE = 'select "letters".* from "rw"."letters" order by "id" desc limit $1';

test('extract(year) and date_trunc() per row, and a list returning a TOASTed column: rewritten with the samples, measured, proven', async () => {
  await pool.query(`
    CREATE TABLE rw.views (id int PRIMARY KEY, viewed_at timestamptz NOT NULL);
    INSERT INTO rw.views SELECT g, timestamptz '2019-01-01 00:00:00+00' + ((g::bigint * 7919) % 252460800) * interval '1 second'
      FROM generate_series(1, 40000) g;
    CREATE INDEX views_viewed_at_idx ON rw.views (viewed_at);
    CREATE TABLE rw.letters (id int PRIMARY KEY, subject text NOT NULL, html text NOT NULL);
    INSERT INTO rw.letters SELECT n, 'letter ' || n, (SELECT string_agg(md5(n || '/' || i), ' ') FROM generate_series(1, 1250) i)
      FROM generate_series(1, 150) n;
  `);
  await pool.query('VACUUM ANALYZE rw.views, rw.letters');
  const mine: DatabaseProfile = {
    ...profile,
    topStatements: [stat('11', Q_YEAR, 20, 10), stat('12', Q_TRUNC, 20, 10), { ...stat('13', Q_WIDE, 20, 2), rows: 20 * 20 }],
  };
  const samples = [
    'select count(*) as "count" from "rw"."views" where extract(year from viewed_at) = 2024',
    `select count(*) from "rw"."views" where date_trunc('month', "viewed_at") = '2024-03-01'`,
    'select "letters".* from "rw"."letters" order by "id" desc limit 20',
  ];
  const t = parseTargetProfile({ ...target, database: { ...target.database, advisor: { rewrites: true, sampleQueries: samples } } });
  const { findings, notes } = await analyzeDatabase(pool, t, mine, { ...OFF, rewriteMinSavingMs: 0 });
  const rw = rewrites(findings);
  const dump = `${JSON.stringify(rw, null, 2)}\n${notes.join('\n')}`;
  const year = rw.find((f) => quotes(f, Q_YEAR));
  assert.ok(year, dump);
  assert.ok(
    quotes(year, '("viewed_at" >= make_timestamptz(2024, 1, 1, 0, 0, 0)) AND ("viewed_at" < make_timestamptz(2025, 1, 1, 0, 0, 0))'),
    dump,
  );
  assert.ok(quotes(year, 'with the values of profile sample 1') && quotes(year, 'same result on the real data: both return 1 row'), dump);
  assert.ok(quotes(year, 'Index Only Scan using views_viewed_at_idx'), dump);
  const trunc = rw.find((f) => quotes(f, Q_TRUNC));
  assert.ok(trunc, dump);
  assert.ok(quotes(trunc, `(date_trunc('month', '2024-03-01'::timestamptz) = '2024-03-01'::timestamptz)`), dump);
  assert.ok(quotes(trunc, 'same result on the real data: both return 1 row with equal hashes'), dump);
  const wide = rw.find((f) => quotes(f, Q_WIDE));
  assert.ok(wide, dump);
  assert.match(wide.title, /if the caller does not use html \(\d{5} bytes a value\), select the other columns of rw\.letters/);
  assert.ok(quotes(wide, 'SELECT "letters"."id", "letters"."subject" FROM "rw"."letters" ORDER BY "id" DESC LIMIT $1'), dump);
  assert.ok(
    quotes(wide, 'same result on the real data: both return 20 rows with equal hashes (row count and an md5 of the kept columns'),
    dump,
  );
  const bytes = /(\d+) -> (\d+) bytes per call/.exec(wide.evidence.join('\n'));
  assert.ok(bytes && Number(bytes[1]) > 20 * 40_000 && Number(bytes[2]) < 1_000, dump);
});

test('rewrites are off by default: nothing is proposed and the statements are not run', async () => {
  const plain = parseTargetProfile({ ...target, database: { urlEnv: 'RW_DATABASE_URL', schemas: ['rw'] } });
  const { findings } = await analyzeDatabase(pool, plain, profile, OFF);
  assert.deepEqual(rewrites(findings), []);
});
