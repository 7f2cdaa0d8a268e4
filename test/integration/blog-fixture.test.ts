// The ORM-shaped fixture (demo/blog, Objection.js on Knex) in CI: a smaller blog, the tool's real
// profiling and analysis workflows on a real Temporal dev server, PostgreSQL with pg_stat_statements.
// It asserts (1) the fixture is what its expected findings say: each endpoint's statements per request,
// counted by hand, equal a pg_stat_statements diff around sequential requests; and (2) the expected
// findings the tool already finds never regress: the four missing indexes, the five ORM-shaped N+1s
// (each named with its endpoint) and the four rewrites. The others (per-endpoint statements/request)
// are listed by npm run bench:diagnosis.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOG_EXPECTED } from '../../demo/blog/expected-findings';
import { startBlogTarget, type BlogTarget } from '../../bench/diagnosis/blog-target';
import { formatRows, matchAll, type MatchRow } from '../../bench/diagnosis/match';
import { diagnose, type Diagnosis } from '../../bench/diagnosis/run-tool';
import { statementsPerRequest } from '../../bench/diagnosis/statement-count';
import { PG_ADMIN_URL, runDatabase } from '../helpers/services';

type RunDatabase = Awaited<ReturnType<typeof runDatabase>>;
/** Found today; a later change that loses one fails here. */
const FOUND_TODAY = [
  'idx-articles-created_at',
  'idx-article_tags-article_id',
  'idx-favorites-article_id',
  'idx-comments-article_id',
  // Query rewrites (blog.yaml turns them on): proposed with their measured saving and proof of equal results.
  'rw-articles-count',
  'rw-archive-keyset',
  'rw-views-year',
  'rw-newsletters-wide',
  ...BLOG_EXPECTED.nPlusOne.map((n) => n.id),
];

let blog: BlogTarget;
let measured: Record<string, number>;
let diagnosis: Diagnosis;
// Named per checkout and test process (two checkouts testing at once would share fixed names), dropped after.
let blogDb: RunDatabase | undefined;
let storeDb: RunDatabase | undefined;

before(async () => {
  blogDb = await runDatabase('perf_test_ormfixture_blog');
  blog = await startBlogTarget({
    adminUrl: PG_ADMIN_URL,
    database: blogDb.name,
    articles: 20_000,
    load: { concurrency: 4, durationSeconds: 6, warmupSeconds: 1 },
  });
  measured = await statementsPerRequest({ target: blog.profile, databaseUrl: blog.databaseUrl, database: blogDb.name, requests: 3 });
  storeDb = await runDatabase('perf_test_ormfixture_store');
  diagnosis = await diagnose({ target: blog.profile, env: blog.env, storeUrl: storeDb.url, runId: `blog-fixture-${Date.now()}` });
});

after(async () => {
  await blog?.close();
  await blogDb?.drop();
  await storeDb?.drop();
});

test('each endpoint sends the statements per request its expected findings count by hand', () => {
  for (const e of BLOG_EXPECTED.endpoints) {
    assert.equal(measured[e.name], e.statementsPerRequest, `${e.name}: ${e.byHand}; measured ${JSON.stringify(measured)}`);
  }
});

test('the tool finds the expected findings it found when the fixture was written', (t) => {
  const rows: MatchRow[] = matchAll(
    BLOG_EXPECTED,
    { findings: diagnosis.analysis.plan.items, statements: diagnosis.profiling.database?.topStatements ?? [], results: diagnosis },
    measured,
  );
  const report = formatRows(rows);
  t.diagnostic(`expected findings of the blog fixture (20k articles):\n${report}`);
  for (const id of FOUND_TODAY) {
    assert.equal(rows.find((r) => r.id === id)?.status, 'found', `${id} is no longer found:\n${report}`);
  }
});

test('each ORM-shaped N+1 is named with its endpoint and its calls per request measured on that endpoint alone', () => {
  const n1 = diagnosis.analysis.plan.items.filter((i) => i.rootCause === 'n_plus_one');
  const titles = n1.map((i) => i.title).join('\n');
  for (const e of BLOG_EXPECTED.nPlusOne) {
    const item = n1.find(
      (i) =>
        new RegExp(e.statement, 'i').test(i.evidence.find((x) => x.startsWith('statement: '))?.slice(11) ?? '') &&
        i.title.includes(`endpoint ${e.endpoint}:`),
    );
    assert.ok(item, `${e.id}: no N+1 on endpoint ${e.endpoint} quoting its statement in:\n${titles}`);
    // Within 5% of the hand count (the done-when's bar): the first pass may catch the load test's last requests.
    const cpr = Number(/\(([\d.]+) calls per request\)$/.exec(item.title)?.[1]);
    assert.ok(Math.abs(cpr - e.callsPerRequest) <= 0.05 * e.callsPerRequest, `${e.id}: ${item.title}`);
    assert.ok(
      item.evidence.some((x) => x.startsWith('batched form: ')),
      item.evidence.join('\n'),
    );
  }
  // The author load is an N+1 on comments only: on article it is the eager load, once per request.
  assert.ok(!n1.some((i) => i.title.includes('endpoint article:')), titles);
});
