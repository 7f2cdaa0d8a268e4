// GIN/GiST candidates: the predicates the parser reads (sql-gin-predicate.ts), the index each column type
// and operator mix needs (gin-candidates.ts), the relation swap that points a statement at a sample
// (sql-relation-swap.ts), and the sampleVerify option's checks.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureParser, parseStatement } from '../../activities/postgres/sql-parse';
import { dottedNameEnd, swapRelation } from '../../activities/postgres/sql-relation-swap';
import { ginCandidate, ginIndexFor } from '../../activities/skills/database-optimization-analyzer/advisor/gin-candidates';
import { samplePercent, sampleVerifyProblem } from '../../activities/skills/database-optimization-analyzer/advisor/sample-verify';
import type { CatalogTable } from '../../activities/postgres/catalog';
import { startRun } from '../../activities/skills/database-optimization-analyzer/advisor/run';
import type { Pool } from 'pg';
import type { IndexRecommendation } from '../../activities/skills/database-optimization-analyzer/advisor';
import type { DatabaseEvidence } from '../../activities/skills/database-optimization-analyzer/findings';
import { indexFinding } from '../../activities/skills/database-optimization-analyzer/index-finding';
import { DEFAULT_ANALYZER_OPTIONS } from '../../activities/skills/database-optimization-analyzer/options';
import { parseTargetProfile } from '../../common/profile';
import { analyzerOptionsFor } from '../../activities/skills/database-optimization-analyzer/options';

before(async () => {
  assert.equal(await ensureParser(), true);
});

const gins = (sql: string) =>
  parseStatement(sql)
    .scopes.flatMap((s) => s.predicates)
    .filter((p) => p.op === 'gin')
    .map((p) => `${p.col.column} ${p.gin!.operator}${p.gin!.expression ? ` [${p.gin!.expression}]` : ''}`);

test('gin predicates: @> ? ?| && @@ %, commuted operands, to_tsvector with two arguments only', () => {
  assert.deepEqual(gins("SELECT 1 FROM d WHERE payload @> $1 AND payload ? 'k' AND payload ?| $2 AND $3 && tags AND name % $4"), [
    'payload @>',
    'payload ?',
    'payload ?|',
    'tags &&',
    'name %',
  ]);
  assert.deepEqual(gins('SELECT 1 FROM d WHERE $1 <@ payload AND tags <@ $2'), ['payload @>', 'tags <@']);
  assert.deepEqual(gins("SELECT 1 FROM d WHERE to_tsvector('english', body) @@ plainto_tsquery('english', $1)"), [
    "body @@ [to_tsvector('english'::regconfig, body)]",
  ]);
  // The one-argument form depends on default_text_search_config: not immutable, no index on it.
  assert.deepEqual(gins('SELECT 1 FROM d WHERE to_tsvector(body) @@ to_tsquery($1)'), []);
  // Two columns, or a column against another column: not a probe value.
  assert.deepEqual(gins('SELECT 1 FROM d WHERE a.tags && b.tags'), []);
});

test('gin predicates: LIKE/ILIKE only when the pattern has no fixed prefix; LIKE $1 is left to the prefix candidates', () => {
  assert.deepEqual(
    gins("SELECT 1 FROM d WHERE name ILIKE '%ab%' AND code LIKE '_x%' AND city LIKE 'ab%' AND city ILIKE $1 AND sku LIKE $2"),
    ['name ~~*', 'code ~~', 'city ~~*'],
  );
  // The btree LIKE predicate is still there for the prefix candidates.
  const f = parseStatement("SELECT 1 FROM d WHERE code LIKE '%x'");
  assert.deepEqual(
    f.scopes[0].predicates.map((p) => p.op),
    ['like', 'gin'],
  );
});

test('gin predicates: upper()/lower() of a column (Django icontains) with a case-folded infix pattern; a prefix or bare $1 makes none', () => {
  assert.deepEqual(
    gins(
      'SELECT 1 FROM a.d WHERE UPPER("d"."title"::text) LIKE UPPER(\'%ab%\') AND lower(name) ILIKE lower($1) ' +
        "AND upper(city) LIKE upper('ab%') AND upper(sku) LIKE upper($2) AND upper(a || b) LIKE '%x%'",
    ),
    ['title ~~ [upper(title::text)]', 'name ~~* [lower(name)]'],
  );
  const t = { schema: 's', name: 'd', columns: new Map([['title', { type: 'character varying(255)' }]]) } as unknown as CatalogTable;
  const c = ginCandidate({ table: t, column: 'title', expression: 'upper(title::text)', expressionType: 'text' }, new Set(['~~']));
  assert.deepEqual(c?.cand.keys, [{ name: 'upper(title::text)', expression: true, opclass: 'gin_trgm_ops' }]);
  assert.equal(c?.trigram, true);
});

test('index per type and operator mix: jsonb_path_ops for containment only, jsonb_ops with key tests, gist for ranges', () => {
  assert.deepEqual(ginIndexFor('jsonb', new Set(['@>'])), { method: 'gin', opclass: 'jsonb_path_ops', trigram: false });
  assert.deepEqual(ginIndexFor('jsonb', new Set(['@>', '?'])), { method: 'gin', trigram: false });
  assert.equal(ginIndexFor('jsonb', new Set(['<@'])), null, 'no GIN operator class indexes jsonb <@');
  assert.deepEqual(ginIndexFor('integer[]', new Set(['&&', '<@'])), { method: 'gin', trigram: false });
  assert.deepEqual(ginIndexFor('tsvector', new Set(['@@'])), { method: 'gin', trigram: false });
  assert.deepEqual(ginIndexFor('character varying(200)', new Set(['~~*', '%'])), { method: 'gin', opclass: 'gin_trgm_ops', trigram: true });
  assert.deepEqual(ginIndexFor('tstzrange', new Set(['&&'])), { method: 'gist', trigram: false });
  assert.deepEqual(ginIndexFor('box', new Set(['@>'])), { method: 'gist', trigram: false });
  assert.equal(ginIndexFor('integer', new Set(['%'])), null, '% on a number is the modulo, not a trigram test');
  assert.equal(ginIndexFor('text', new Set()), null);
});

test('the candidate: an opclass on the column, or the expression as the key', () => {
  const table = {
    schema: 's',
    name: 'docs',
    columns: new Map([
      ['payload', { type: 'jsonb' }],
      ['body', { type: 'text' }],
    ]),
  } as unknown as CatalogTable;
  assert.deepEqual(ginCandidate({ table, column: 'payload', expression: null }, new Set(['@>']))?.cand, {
    schema: 's',
    table: 'docs',
    method: 'gin',
    keys: [{ name: 'payload', opclass: 'jsonb_path_ops' }],
    eqCount: 0,
    include: [],
  });
  const e = "to_tsvector('english'::regconfig, body)";
  assert.deepEqual(ginCandidate({ table, column: 'body', expression: e }, new Set(['@@']))?.cand.keys, [{ name: e, expression: true }]);
});

test('relation swap: every reference by its location, aliased with the table name when it had none; other tables stay', () => {
  const r = (sql: string) => swapRelation(sql, 's', 'docs', 'pg_temp.sample', 'docs');
  assert.equal(
    r('SELECT docs.id FROM s.docs WHERE docs.payload @> $1'),
    'SELECT docs.id FROM pg_temp.sample AS docs WHERE docs.payload @> $1',
  );
  assert.equal(
    r('SELECT d.id FROM "s" . "docs" d JOIN s.users u ON u.id = d.uid WHERE d.tags && $1'),
    'SELECT d.id FROM pg_temp.sample d JOIN s.users u ON u.id = d.uid WHERE d.tags && $1',
  );
  assert.equal(
    r("SELECT 'é' AS x FROM docs WHERE id IN (SELECT id FROM s.docs WHERE tags && $1)"),
    "SELECT 'é' AS x FROM pg_temp.sample AS docs WHERE id IN (SELECT id FROM pg_temp.sample AS docs WHERE tags && $1)",
  );
  assert.equal(r('SELECT 1 FROM other.docs'), null, 'a table of the same name in another schema is not it');
  assert.equal(r('SELECT FROM WHERE'), null);
  assert.equal(dottedNameEnd('"a""b".c x', 0, 2), 8);
  assert.equal(dottedNameEnd('a. (', 0, 2), -1);
});

test('sampleVerify: the sample percentage and the option checks', () => {
  assert.equal(samplePercent(10_000, 50_000), null, 'a table smaller than maxRows is copied whole');
  assert.equal(samplePercent(1_000_000, 100_000), 12);
  assert.equal(samplePercent(1e12, 100), 0.001);
  assert.equal(sampleVerifyProblem({ enabled: true, maxRows: 1000, timeoutMs: 5000 }), null);
  assert.match(sampleVerifyProblem({ enabled: 'yes', maxRows: 1000, timeoutMs: 5000 })!, /sampleVerify\.enabled must be true or false/);
  assert.match(sampleVerifyProblem({ enabled: true, maxRows: 10, timeoutMs: 5000 })!, /sampleVerify\.maxRows must be an integer from 100/);
  assert.match(sampleVerifyProblem({ enabled: true, maxRows: 1000, timeoutMs: 1e9 })!, /sampleVerify\.timeoutMs/);
  assert.throws(
    () =>
      startRun(
        {} as Pool,
        { statements: [], schemas: [] },
        { hypopgSchema: null },
        { sampleVerify: { enabled: true, maxRows: -1, timeoutMs: 1000 } },
      ),
    /bad advisor option: sampleVerify\.maxRows/,
  );
});

test('database.advisor.sampleVerify in the profile reaches the advisor options; a bad value names the field', () => {
  const input = (sampleVerify: unknown) => ({
    name: 'shop',
    http: { baseUrl: 'http://127.0.0.1:3999', endpoints: [{ name: 'home', path: '/' }] },
    database: { urlEnv: 'SHOP_DATABASE_URL', advisor: { sampleVerify } },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 50 },
  });
  const o = analyzerOptionsFor(parseTargetProfile(input({ enabled: true, maxRows: 5000 })));
  assert.deepEqual(o.advisor.sampleVerify, { enabled: true, maxRows: 5000, timeoutMs: 10_000 });
  assert.equal(analyzerOptionsFor(parseTargetProfile(input(undefined))).advisor.sampleVerify, undefined);
  assert.throws(() => parseTargetProfile(input({ enabled: true, maxRows: 5 })), /sampleVerify.*maxRows|maxRows.*at least 100 rows/s);
  assert.throws(() => parseTargetProfile(input({ enabled: true, rows: 5 })), /rows/);
});

test('a finding verified by sample says so, with the sample size and the plan costs on the sample', () => {
  const rec: IndexRecommendation = {
    schema: 's',
    table: 'notes',
    reltuples: 30_000,
    method: 'gin',
    keys: [{ name: "to_tsvector('english'::regconfig, body)", expression: true }],
    eqCount: 0,
    include: [],
    verified: true,
    verifiedBy: 'sample',
    sample: { rows: 30_000, ms: 420 },
    savedMs: 900,
    writeCostMs: 0,
    writes: null,
    statements: [
      {
        queryids: ['1'],
        query: "SELECT id FROM s.notes WHERE to_tsvector('english', body) @@ plainto_tsquery('english', $1)",
        calls: 300,
        totalMs: 1000,
        rows: 300,
        costBefore: 8000,
        costAfter: 800,
        planBefore: 'Seq Scan on notes',
        planAfter: 'Bitmap Heap Scan on perf_orch_sample',
        sampleCosts: { before: 8000, after: 800 },
      },
    ],
    statementCount: 1,
    columnNotes: [],
  };
  const evidence = { windowRequests: 100, qualstats: [], samplePlans: {}, actual: {} } as unknown as DatabaseEvidence;
  const target = parseTargetProfile({
    name: 'shop',
    http: { baseUrl: 'http://127.0.0.1:3999', endpoints: [{ name: 'home', path: '/' }] },
    database: { urlEnv: 'SHOP_DATABASE_URL' },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 50 },
  });
  const f = indexFinding(rec, target, evidence, DEFAULT_ANALYZER_OPTIONS);
  assert.match(f.evidence[0], /verified on a sample of 30000 rows in 420 ms \(hypopg cannot model gin indexes: .*TEMPORARY table/);
  assert.ok(
    f.evidence.includes(
      'on the sample: generic plan cost 8000 -> 800 with the index (-90%); plan after (sample): Bitmap Heap Scan on perf_orch_sample',
    ),
  );
  assert.equal(f.risk, 'low');
  assert.equal(f.action.type, 'create_index');
  assert.match(f.title, /USING gin \(to_tsvector\('english'::regconfig, body\)\)/);
});

test('relation swap in an index definition (its relation is not wrapped in a RangeVar node): no alias', () => {
  assert.equal(
    swapRelation('CREATE UNIQUE INDEX docs_pkey ON s.docs USING btree (id)', 's', 'docs', 'pg_temp.sample', null),
    'CREATE UNIQUE INDEX docs_pkey ON pg_temp.sample USING btree (id)',
  );
});
