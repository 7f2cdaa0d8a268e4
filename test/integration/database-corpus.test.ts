// The index advisor's corpus against a real PostgreSQL 15 with hypopg: each case builds its schema
// (its own namespace in one test database), runs the advisor on its workload, compares the proposal
// with the expected one (table, key columns in order with direction, INCLUDE), then builds the proposed
// indexes for real (all of a case's at once: a BitmapOr needs its whole set) and checks that the
// statements' generic plans use them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { adviseIndexes, type AdvisorOptions, type AdvisorResult } from '../../activities/skills/database-optimization-analyzer/advisor';
import { prepareHypopg } from '../../activities/postgres/hypopg';
import { GenericPlanner } from '../../activities/postgres/planner';
import { planUsesIndex } from '../../activities/postgres/plan-walk';
import { ensureParser, parseStatement } from '../../activities/postgres/sql-parse';
import { qualifiedName, quoteIdent } from '../../activities/postgres/sql-ident';
import { describeIndexKey, indexBodyText, type IndexKeySpec } from '../../common/index-keys';
import { CASES, type CorpusCase, type ExpectedIndex } from '../corpus/db/cases';
import { testPool } from '../helpers/services';

// PERF_TEST_CORPUS_DB: another database name, so that parallel runs of this file do not drop each other's schemas.
const DB = process.env.PERF_TEST_CORPUS_DB ?? 'perf_test_dbcorpus';
let pool: Pool;
let hypopgSchema: string;

// Cases with the same setup share one schema (each test drops the indexes it builds): one build per setup.
const firstWithSetup = new Map<string, CorpusCase>();
for (const k of CASES) if (!firstWithSetup.has(k.setup)) firstWithSetup.set(k.setup, k);
const schemaOf = (c: CorpusCase) => `corpus_${firstWithSetup.get(c.setup)!.name}`;
const sql = (c: CorpusCase, text: string) => text.replaceAll('{s}', schemaOf(c));
const describeKeys = (keys: IndexKeySpec[]) => keys.map(describeIndexKey);

before(async () => {
  assert.ok(await ensureParser(), 'the SQL parser loads');
  pool = await testPool(DB);
  const h = await prepareHypopg(pool, true);
  assert.ok(h.schema, `hypopg is required for the corpus: ${h.note} (Debian/Ubuntu: apt-get install postgresql-15-hypopg)`);
  hypopgSchema = h.schema;
  // The trigram cases need pg_trgm's operator classes (an extension is per database).
  await pool.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  // Build every case's schema, two at a time (the data generation is the server's CPU work); then VACUUM
  // ANALYZE, one table at a time once no build is open (an open transaction would keep the pages from being
  // marked all-visible, and the index-only scan cases need them to be).
  const setups = [...firstWithSetup.values()];
  const wanted = new Set(setups.map(schemaOf));
  const old = await pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'corpus\\_%'`);
  for (const r of old.rows) if (!wanted.has(r.nspname)) await pool.query(`DROP SCHEMA ${quoteIdent(r.nspname)} CASCADE`);
  await Promise.all([0, 1].map((half) => buildSchemas(setups.filter((_, i) => i % 2 === half))));
  const { rows } = await pool.query(
    `SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'corpus\\_%' AND c.relkind = 'r'`,
  );
  // Statistics from every row (ANALYZE reads 300 x the target at random: 30,000 of a 60,000-row table at the
  // default 100), so each case plans on the same estimates every run: a random histogram bound that matched
  // a LIKE pattern once turned an estimate of 5 rows into 505 (CI, 2026-12-01).
  const c = await pool.connect();
  try {
    await c.query('SET default_statistics_target = 1000');
    for (const r of rows) await c.query(`VACUUM ANALYZE ${qualifiedName(r.nspname, r.relname)}`);
  } finally {
    await c.query('RESET default_statistics_target').finally(() => c.release());
  }
});

async function buildSchemas(cases: CorpusCase[]): Promise<void> {
  const c = await pool.connect();
  try {
    for (const k of cases) {
      const schema = quoteIdent(schemaOf(k));
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
      await c.query(sql(k, k.setup));
    }
  } finally {
    c.release();
  }
}

after(async () => {
  await pool?.end();
});

async function advise(k: CorpusCase, extra: Partial<AdvisorOptions> = {}): Promise<AdvisorResult> {
  return adviseIndexes(
    pool,
    {
      schemas: [schemaOf(k)],
      statements: k.workload.map((s, i) => ({
        queryid: String(i),
        query: sql(k, s.query),
        calls: s.calls,
        totalMs: s.calls * s.meanMs,
        rows: s.calls * s.rowsPerCall,
      })),
      tableWrites: k.writes?.map((x) => ({ ...x, schema: schemaOf(k) })),
      samples: k.samples?.map((t) => sql(k, t)),
    },
    { hypopgSchema },
    { ...k.options, ...extra },
  );
}

const sortKey = (x: { table: string; keys: string[] }) => `${x.table}(${x.keys.join(',')})`;
function assertAdvice(k: CorpusCase, r: AdvisorResult): void {
  const got = r.recommendations.map((x) => ({
    table: x.table,
    method: x.method ?? 'btree',
    keys: describeKeys(x.keys),
    include: x.include,
    verifiedBy: x.verifiedBy,
  }));
  const want = k.expect.map((e) => ({
    table: e.table,
    method: e.method ?? 'btree',
    keys: e.keys,
    include: e.include ?? [],
    verifiedBy: e.verifiedBy ?? 'hypopg',
  }));
  assert.deepEqual(
    [...got].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    [...want].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    `notes: ${r.notes.join(' | ')}; rejected: ${JSON.stringify(r.rejected)}`,
  );
}

/** Each expected column note (a pattern, or a text it contains) is said by at least one of the recommendation's notes. */
function assertColumnNotes(e: ExpectedIndex, notes: string[]): void {
  for (const want of e.columnNotes ?? []) {
    const said = notes.some((n) => (typeof want === 'string' ? n.includes(want) : want.test(n)));
    assert.ok(said, `no column note says ${String(want)}: ${notes.join(' | ')}`);
  }
}

describe('index advisor corpus', { concurrency: false }, () => {
  test(`has at least 25 cases, including "no index" and multi-statement ones`, () => {
    assert.ok(CASES.length >= 25, `${CASES.length} cases`);
    assert.ok(CASES.filter((k) => k.expect.length === 0).length >= 6);
    assert.ok(CASES.some((k) => k.expect.some((e) => e.usedBy.length > 1)));
  });

  test('each index kind beyond plain keys has at least 5 cases, with at least one where no index of that kind pays', () => {
    const kinds: Record<string, RegExp> = { expression: /^expr_/, pattern: /^prefix_/, or: /^or_/, gin: /^gi(n|st)_/, tie: /^tie_/ };
    for (const [kind, re] of Object.entries(kinds)) {
      const cases = CASES.filter((k) => re.test(k.name));
      assert.ok(cases.length >= 5, `${kind}: ${cases.length} cases`);
      assert.ok(
        cases.some((k) => k.expect.length === 0 || /no (index|btree|set)|smaller/i.test(k.why)),
        `${kind}: no negative case`,
      );
    }
  });

  for (const k of CASES) {
    test(`${k.name}: ${k.why}`, async () => {
      const r = await advise(k);
      assertAdvice(k, r);
      if (k.note)
        assert.ok(
          r.notes.some((n) => n.includes(k.note!)),
          `no note holds "${k.note}": ${r.notes.join(' | ')}`,
        );
      // Applying it: the proposed indexes, all built for real (a BitmapOr needs every index of its set), are used by
      // the statements' generic plans.
      const built: { e: (typeof k.expect)[number]; name: string }[] = [];
      try {
        for (const [j, e] of k.expect.entries()) {
          const rec = r.recommendations.find((x) => x.table === e.table && describeKeys(x.keys).join() === e.keys.join())!;
          assert.ok(rec.verified && rec.savedMs > 0 && rec.statements.length >= e.usedBy.length);
          assertColumnNotes(e, rec.columnNotes);
          const name = `corpus_idx_${e.table}_${j}`;
          await pool.query(
            `CREATE INDEX ${quoteIdent(name)} ON ${qualifiedName(schemaOf(k), e.table)} ${indexBodyText(rec.method, rec.keys, rec.include)}`,
          );
          built.push({ e, name });
        }
        const planner = await GenericPlanner.open(pool, null);
        try {
          for (const { e, name } of built) {
            for (const i of e.customOnly ? [] : e.usedBy) {
              const facts = parseStatement(sql(k, k.workload[i].query));
              const plan = await planner.explain(facts.text, facts.maxParam);
              assert.ok(planUsesIndex(plan, name), `statement ${i} does not use ${name}: ${JSON.stringify(plan).slice(0, 600)}`);
            }
            // The sampled values' custom plans (a prefix pattern given as $n is only usable with its value).
            for (const text of e.usedBySamples ?? []) {
              const plan = await planner.explain(sql(k, text), 0);
              assert.ok(planUsesIndex(plan, name), `sample ${text} does not use ${name}: ${JSON.stringify(plan).slice(0, 600)}`);
            }
          }
        } finally {
          await planner.close();
        }
      } finally {
        for (const { name } of built) await pool.query(`DROP INDEX ${qualifiedName(schemaOf(k), name)}`);
      }
    });
  }
});

// Large workloads: beyond the `detailedStatements` heaviest, statements are streamed (advisor/tail-batches.ts).
// With only the heaviest statement analyzed in detail, the tail must reach the same advice, except
// where one index is shaped to serve several statements at once (shared-prefix variants are made
// from the detailed statements only).
const DETAILED_ONLY = new Set(['shared_prefix_reordered']);

describe('index advisor corpus, streamed: all but the heaviest statement in the tail', { concurrency: false }, () => {
  // A case of one statement has no tail: streamed, it is the detailed run again.
  for (const k of CASES.filter((c) => !DETAILED_ONLY.has(c.name) && c.workload.length > 1)) {
    test(`${k.name} (streamed)`, async () => {
      const r = await advise(k, { detailedStatements: 1, tailBatchStatements: 2 });
      assertAdvice(k, r);
      if (k.workload.length > 1)
        assert.equal(r.stats.tail?.statements, k.workload.length - 1, 'the other statements went through the tail');
      for (const e of k.expect) {
        const rec = r.recommendations.find((x) => x.table === e.table && describeKeys(x.keys).join() === e.keys.join())!;
        assert.ok(
          rec.verified && rec.savedMs > 0 && rec.statementCount >= e.usedBy.length,
          `${rec.statementCount} statements, ${e.usedBy.length} expected`,
        );
        assertColumnNotes(e, rec.columnNotes);
      }
    });
  }
});
