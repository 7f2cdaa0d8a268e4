// Benchmark of the database-optimization-analyzer's index advisor: time and memory to analyze a
// workload of 1,000 and 10,000 distinct statements generated over a schema of 50 tables, against a
// real PostgreSQL with hypopg. Prints statements/second, the share of time spent in hypopg calls
// and the ratios against the target (10,000 statements in under a minute, memory flat).
//
//   npm run bench:db                      # 1,000, 10,000 and 20,000 statements
//   npm run bench:db -- 2000 20000        # other sizes
//   PERF_BENCH_PG_URL=postgres://... npm run bench:db
//
// The schema (database perf_bench_db, schema bench: 50 tables x 20,000 rows) is built on the first
// run (~10 s) and reused.
import { cpus } from 'node:os';
import { Client, Pool } from 'pg';
import {
  adviseIndexes,
  DEFAULT_ADVISOR_OPTIONS,
  type AdvisorOptions,
  type AdvisorResult,
  type WorkloadStatement,
} from '../../activities/skills/database-optimization-analyzer/advisor';
import { prepareHypopg } from '../../activities/postgres/hypopg';
import { ensureParser } from '../../activities/postgres/sql-parse';
import { mulberry32 } from '../../common/seeded-random';
import { describeIndexKeys } from '../../common/index-keys';

const ADMIN_URL = process.env.PERF_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = 'perf_bench_db';
const TABLES = 50;
const ROWS = 20_000;
const TARGET_SECONDS = 60;
const TARGET_STATEMENTS = 10_000;
// Distinct values per column c1..c8: from nearly unique to a handful.
const DISTINCT = [ROWS, 5000, 2000, 500, 100, 20, 5, 2];
// Bumped when the schema changes (2: jsonb and array columns for the index kinds beyond plain btree keys).
const SCHEMA_VERSION = 2;

function urlFor(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

async function ensureSchema(): Promise<Pool> {
  const admin = new Client({ connectionString: ADMIN_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL does not answer at ${ADMIN_URL} (${(err as Error).message}). Start it with: ` +
        `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
      { cause: err },
    );
  }
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]);
  if (!rowCount) await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const pool = new Pool({ connectionString: urlFor(DB), max: 4, application_name: 'perf-orchestrator' });
  const ready = await pool.query(`SELECT to_regclass('bench.meta') IS NOT NULL AS ok`);
  const meta = ready.rows[0].ok ? await pool.query(`SELECT to_jsonb(m) AS m FROM bench.meta m`) : null;
  const m = meta?.rows[0]?.m as { tables?: number; rows?: number; version?: number } | undefined;
  if (!m || m.tables !== TABLES || m.rows !== ROWS || m.version !== SCHEMA_VERSION) {
    const t0 = Date.now();
    process.stdout.write(`building schema bench: ${TABLES} tables x ${ROWS} rows ... `);
    await pool.query('DROP SCHEMA IF EXISTS bench CASCADE; CREATE SCHEMA bench');
    for (let t = 0; t < TABLES; t++) {
      const cols = DISTINCT.map((d, i) => `(g * ${[7919, 104729, 31, 13, 7, 3, 11, 17][i]}::bigint + ${t}) % ${d} AS c${i + 1}`).join(', ');
      await pool.query(`CREATE TABLE bench.t${t} AS SELECT g AS id, ${cols},
          timestamptz '2024-01-01' + ((g * 7919) % 500000) * interval '1 minute' AS ts, 'text ' || g AS txt,
          jsonb_build_object('k', g % 1000, 'n', g) AS doc, ARRAY[g % 300, 300 + g % 7] AS tags
        FROM generate_series(1, ${ROWS}) g;
        ALTER TABLE bench.t${t} ADD PRIMARY KEY (id)`);
      if (t % 5 === 0) await pool.query(`CREATE INDEX ON bench.t${t} (c2)`); // some candidates are already covered
    }
    await pool.query('VACUUM ANALYZE');
    await pool.query(`CREATE TABLE bench.meta AS SELECT ${TABLES} AS tables, ${ROWS} AS rows, ${SCHEMA_VERSION} AS version`);
    console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return pool;
}

/**
 * `n` distinct normalized statements over the 50 tables: lookups, ranges, sorts, joins, IN lists, updates,
 * and the kinds beyond plain keys: expressions, patterns, ORs, jsonb containment, array overlap.
 */
export function generateWorkload(n: number, seed = 42): WorkloadStatement[] {
  const r = mulberry32(seed);
  // Its own sequence for the ORs added to plain lookups (otherKind makes ORs of its own too).
  const rOr = mulberry32(seed + 1);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const cols = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];
  const selectable = ['id', ...cols, 'ts', 'txt'];
  const seen = new Set<string>();
  const out: WorkloadStatement[] = [];
  let guard = 0;
  while (out.length < n && guard++ < n * 50) {
    const t = Math.floor(r() * TABLES);
    const nSel = 1 + Math.floor(r() * 4);
    const sel = [...new Set(Array.from({ length: nSel }, () => pick(selectable)))].join(', ');
    const nEq = 1 + Math.floor(r() * 2);
    const eq = [...new Set(Array.from({ length: nEq }, () => pick(cols.slice(1))))];
    let p = 0;
    const where = eq.map((c) => `${c} = $${++p}`);
    const kind = r();
    let q: string;
    if (kind < 0.08) {
      q = `UPDATE bench.t${t} SET txt = $${++p} WHERE ${where.join(' AND ')}`;
    } else if (kind < 0.16) {
      const u = (t + 1 + Math.floor(r() * (TABLES - 1))) % TABLES;
      q =
        `SELECT a.${pick(selectable)}, b.${pick(selectable)} ` +
        `FROM bench.t${t} a JOIN bench.t${u} b ON b.${pick(cols.slice(1, 4))} = a.id ` +
        `WHERE ${where.map((w) => `a.${w}`).join(' AND ')}`;
    } else if (kind < 0.24) {
      q = `SELECT ${sel} FROM bench.t${t} WHERE ${pick(cols.slice(1, 4))} = ANY($1)`;
    } else if (kind < 0.36) {
      q = otherKind(t, sel, pick, r());
    } else {
      // An OR over two columns (a BitmapOr needs an index on each: issue 13's OR sets).
      if (rOr() < 0.06) {
        const others = cols.slice(1, 4).filter((c) => !eq.includes(c));
        where[0] = `(${where[0]} OR ${others[Math.floor(rOr() * others.length)]} = $${++p})`;
      }
      if (r() < 0.3) where.push(`ts >= $${++p}`);
      q = `SELECT ${sel} FROM bench.t${t} WHERE ${where.join(' AND ')}`;
      if (r() < 0.3) q += ` ORDER BY ts DESC LIMIT $${++p}`;
    }
    if (seen.has(q)) continue;
    seen.add(q);
    const calls = 1 + Math.floor(1000 * r() ** 3);
    out.push({
      queryid: String(out.length + 1),
      query: q,
      calls,
      totalMs: calls * (0.05 + 10 * r() ** 2),
      rows: calls * (1 + Math.floor(r() * 20)),
    });
  }
  return out;
}

/** One statement of the kinds beyond plain btree keys (the advisor's expression, pattern, OR and gin candidates). */
function otherKind(t: number, sel: string, pick: <T>(xs: T[]) => T, x: number): string {
  const from = `FROM bench.t${t}`;
  if (x < 0.25) return `SELECT ${sel} ${from} WHERE lower(txt) = $1`;
  if (x < 0.45) return `SELECT ${sel} ${from} WHERE txt LIKE $1`;
  if (x < 0.7) return `SELECT ${sel} ${from} WHERE ${pick(['c2', 'c3'])} = $1 OR ${pick(['c1', 'c4'])} = $2`;
  if (x < 0.85) return `SELECT ${sel} ${from} WHERE doc @> $1`;
  return `SELECT ${sel} ${from} WHERE tags && $1`;
}

/** The proposals by kind, and how many statements of each kind beyond plain keys the workload had. */
function kindsLine(result: AdvisorResult): string {
  const recs = result.recommendations;
  const count = (f: (x: (typeof recs)[number]) => boolean) => recs.filter(f).length;
  const inOrSet = (x: (typeof recs)[number]) => x.columnNotes.some((n) => n.includes('BitmapOr'));
  const special = (x: (typeof recs)[number]) => x.keys.some((k) => k.expression || k.opclass) || x.method !== undefined || inOrSet(x);
  const kinds = [
    `${recs.length - count(special)} plain`,
    `${count((x) => x.keys.some((k) => k.expression))} expression`,
    `${count((x) => x.keys.some((k) => k.opclass?.endsWith('_pattern_ops')))} prefix pattern`,
    `${count(inOrSet)} in OR sets`,
    `${count((x) => x.method === 'gin' || x.method === 'gist')} gin/gist`,
  ];
  return `proposals: ${kinds.join(', ')}; rejected ${result.rejected.length}`;
}

interface Run {
  n: number;
  seconds: number;
  result: AdvisorResult;
  /** Heap still in use after a full GC at the end of each phase (what the advisor holds), largest. */
  retainedMb: number;
  gcMs: number;
  heapPeakMb: number;
  heapBaseMb: number;
  rssPeakMb: number;
}

async function run(pool: Pool, hypopgSchema: string, n: number, options: Partial<AdvisorOptions> = {}): Promise<Run> {
  const statements = generateWorkload(n);
  (globalThis as { gc?: () => void }).gc?.();
  const heapBase = process.memoryUsage().heapUsed;
  let heapPeak = heapBase;
  let rssPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed);
    rssPeak = Math.max(rssPeak, m.rss);
  }, 25);
  let retained = 0;
  let gcMs = 0;
  const gc = (globalThis as { gc?: () => void }).gc;
  const onPhase = (phase: string) => {
    if (!gc) return;
    const g0 = performance.now();
    gc();
    gcMs += performance.now() - g0;
    retained = Math.max(retained, process.memoryUsage().heapUsed - heapBase);
    if (process.env.PERF_BENCH_PHASES)
      console.log(`    after ${phase}: ${f1((process.memoryUsage().heapUsed - heapBase) / 2 ** 20)} MB retained`);
  };
  const t0 = performance.now();
  const result = await adviseIndexes(pool, { statements, schemas: ['bench'] }, { hypopgSchema, onPhase }, options);
  const seconds = (performance.now() - t0 - gcMs) / 1000;
  clearInterval(sampler);
  const m = process.memoryUsage();
  heapPeak = Math.max(heapPeak, m.heapUsed);
  return {
    n,
    seconds,
    result,
    retainedMb: retained / 2 ** 20,
    gcMs,
    heapPeakMb: heapPeak / 2 ** 20,
    heapBaseMb: heapBase / 2 ** 20,
    rssPeakMb: Math.max(rssPeak, m.rss) / 2 ** 20,
  };
}

const f1 = (x: number) => x.toFixed(1);

function report(r: Run): void {
  const s = r.result.stats;
  const p = s.planner;
  const busy = p.explainMs + p.hypoExplainMs + p.hypoCallMs;
  const hypo = p.hypoExplainMs + p.hypoCallMs;
  console.log(`\n== ${r.n.toLocaleString('en-US')} statements ==`);
  console.log(`  time           ${f1(r.seconds)} s  ->  ${Math.round(r.n / r.seconds).toLocaleString('en-US')} statements/s`);
  console.log(
    `  phases (ms)    parse ${s.ms.parse}, catalog ${s.ms.catalog}, plan ${s.ms.plan}, evaluate ${s.ms.evaluate}, ` +
      `select ${s.ms.select}, verify ${s.ms.verify}, tail ${s.ms.tail}`,
  );
  if (s.tail) {
    console.log(
      `  tail           ${s.tail.statements} statements beyond the ${s.statementsIn - s.tail.statements} heaviest, streamed: ${s.tail.planned} planned, ` +
        `${s.tail.served} served by the chosen indexes, ${s.tail.evaluations} hypothetical plans, ` +
        `${s.tail.candidates} candidates with a saving${s.tail.pruned ? ' (pruned)' : ''}`,
    );
  }
  console.log(
    `  work           ${s.fingerprints} fingerprints, ${s.analyzable} with candidates, ${s.planned} planned (${s.belowMinCost} below cost 100), ` +
      `${s.candidates} candidate indexes, ${s.evaluations} hypothetical plans, ${r.result.recommendations.length} indexes proposed`,
  );
  console.log(
    `  hypopg         ${f1(hypo / 1000)} s in hypopg calls (${p.hypoCalls} create/drop + ${p.hypoExplains} plans with hypothetical indexes) = ` +
      `${f1((100 * hypo) / busy)}% of the planning sessions' busy time, ${f1((100 * hypo) / (r.seconds * 1000 * 2))}% of wall time x 2 sessions`,
  );
  console.log(
    `  memory         retained by the advisor (after GC, largest at a phase end) ` +
      `${f1(r.retainedMb)} MB = ${Math.round((r.retainedMb * 2 ** 20) / r.n)} bytes/statement; ` +
      `heap peak incl. garbage +${f1(r.heapPeakMb - r.heapBaseMb)} MB; rss peak ${f1(r.rssPeakMb)} MB (the input itself is not counted)`,
  );
  const top = r.result.recommendations
    .slice(0, 3)
    .map(
      (x) =>
        `${x.table}${x.method ? ` USING ${x.method} ` : ''}(${describeIndexKeys(x.keys)})` +
        `${x.include.length ? ` INCLUDE (${x.include.join(', ')})` : ''} saves ${f1(x.savedMs)} ms`,
    );
  console.log(`  top proposals  ${top.join('; ')}`);
  console.log(`  kinds          ${kindsLine(r.result)}`);
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  const ns = sizes.length ? sizes : [1_000, 10_000, 20_000];
  if (!(await ensureParser())) throw new Error('the SQL parser (libpg-query) could not be loaded');
  const pool = await ensureSchema();
  try {
    const h = await prepareHypopg(pool, true);
    if (!h.schema) throw new Error(`hypopg is required: ${h.note}`);
    console.log(
      `index advisor benchmark: ${TABLES} tables x ${ROWS} rows, PostgreSQL at ${urlFor(DB).replace(/\/\/[^@]*@/, '//')}, ${cpus().length} CPUs`,
    );
    await run(pool, h.schema, 200); // warm-up: wasm, catalog caches, connections
    const runs: Run[] = [];
    for (const n of ns) {
      const r = await run(pool, h.schema, n);
      report(r);
      runs.push(r);
    }
    console.log('\n== against the target ==');
    const big = runs.find((r) => r.n === TARGET_STATEMENTS) ?? runs[runs.length - 1];
    const scaled = (big.seconds * TARGET_STATEMENTS) / big.n;
    console.log(
      `  ${TARGET_STATEMENTS.toLocaleString('en-US')} statements: ` +
        `${f1(scaled)} s${big.n === TARGET_STATEMENTS ? '' : ' (scaled)'} vs ${TARGET_SECONDS} s target -> ` +
        `${f1(scaled / TARGET_SECONDS)}x of the budget: ${scaled <= TARGET_SECONDS ? 'MET' : 'MISSED'}`,
    );
    // What streaming the tail costs in advice: the same workload with every statement analyzed together.
    if (big.result.stats.tail) {
      const all = await run(pool, h.schema, big.n, { detailedStatements: Number.MAX_SAFE_INTEGER });
      const saved = (r: Run) => r.result.recommendations.reduce((sum, x) => sum + x.savedMs, 0);
      console.log(
        `  advice: the proposals save ${Math.round(saved(big)).toLocaleString('en-US')} ms of window time; ` +
          `with all ${big.n.toLocaleString('en-US')} statements analyzed together ` +
          `${Math.round(saved(all)).toLocaleString('en-US')} ms (${f1((100 * saved(big)) / saved(all))}%) ` +
          `in ${f1(all.seconds)} s, retaining ${f1(all.retainedMb)} MB ` +
          `(detailedStatements ${DEFAULT_ADVISOR_OPTIONS.detailedStatements})`,
      );
    }
    if (runs.length >= 2) {
      const a = runs[0];
      const b = runs[runs.length - 1];
      console.log(
        `  memory retained: ${runs.map((r) => `${f1(r.retainedMb)} MB at ${r.n.toLocaleString('en-US')}`).join(', ')} -> ` +
          `${f1(b.retainedMb / Math.max(0.1, a.retainedMb))}x for ${f1(b.n / a.n)}x the statements (target: flat); ` +
          `time per statement ${runs.map((r) => `${f1((1000 * r.seconds) / r.n)} ms`).join(' -> ')}`,
      );
    }
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(`bench:db failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
