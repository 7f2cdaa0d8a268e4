// npm run bench:diagnosis (after scripts/install-temporal.sh and prepare-services.sh, as npm test):
// seeds the demo blog (blog_demo, 100k articles), serves it, counts each endpoint's statements per
// request, runs the tool's profiling and analysis workflows on it, and prints
// each expected finding of demo/blog/expected-findings.ts as found / partly / missed. A measurement,
// not a gate: it exits 0 whatever it finds (1 only when it cannot run, with what is missing).
//   PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres), BLOG_ARTICLES (default 100000),
//   BLOG_DATABASE (default blog_demo: another name leaves a blog others may be using alone)
import { Client } from 'pg';
import { BLOG_EXPECTED } from '../../demo/blog/expected-findings';
import { ensureDatabase } from '../../demo/seed';
import { startBlogTarget } from './blog-target';
import { formatRows, matchAll } from './match';
import { diagnose } from './run-tool';
import { statementsPerRequest } from './statement-count';

const ADMIN = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = process.env.BLOG_DATABASE ?? 'blog_demo';

async function preflight(): Promise<void> {
  for (const mod of ['knex', 'objection']) {
    try {
      require.resolve(mod, { paths: [`${__dirname}/../../demo/blog`] });
    } catch {
      throw new Error(`${mod} is not installed; run: npm ci (it is a pinned dev dependency)`);
    }
  }
  const c = new Client({ connectionString: ADMIN });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(`PostgreSQL does not answer at ${ADMIN} (${(err as Error).message}); start it with: npm run setup:services`, {
      cause: err,
    });
  }
  await c.end();
}

async function main(): Promise<void> {
  await preflight();
  const articles = process.env.BLOG_ARTICLES ? Number(process.env.BLOG_ARTICLES) : 100_000;
  const t0 = Date.now();
  const blog = await startBlogTarget({ adminUrl: ADMIN, database: DATABASE, articles });
  console.log(
    `blog ${blog.seed.reseeded ? 'seeded' : 'kept'} (${blog.seed.seconds} s): ` +
      `${Object.entries(blog.seed.counts)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ')}; serving ${blog.baseUrl}`,
  );
  try {
    const measured = await statementsPerRequest({ target: blog.profile, databaseUrl: blog.databaseUrl, database: DATABASE });
    console.log(`statements per request (pg_stat_statements diff, 5 sequential requests each): ${JSON.stringify(measured)}`);
    const storeUrl = await ensureDatabase(ADMIN, 'perf_bench_diagnosis_store');
    const d = await diagnose({ target: blog.profile, env: blog.env, storeUrl, runId: `bench-diagnosis-${Date.now()}` });
    const b = d.profiling.baseline;
    console.log(
      `baseline: ${b.requests} requests, ${Math.round(b.throughputRps * 10) / 10} req/s, p95 ${Math.round(b.latencyMs.p95)} ms; ` +
        `plan: ${d.analysis.plan.items.map((i) => i.id).join(', ') || 'empty'}\n`,
    );
    const rows = matchAll(
      BLOG_EXPECTED,
      { findings: d.analysis.plan.items, statements: d.profiling.database?.topStatements ?? [], results: d },
      measured,
    );
    console.log(formatRows(rows));
    console.log(`\n(${Math.round((Date.now() - t0) / 1000)} s)`);
  } finally {
    await blog.close();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`bench:diagnosis could not run: ${err.message}`);
    process.exit(1);
  },
);
