// Corpus cases for GIN/GiST indexes (jsonb containment and key tests, array overlap, full text,
// trigram ILIKE, range overlap): hypopg cannot model them, so the advisor verifies them on a sample of
// the table (sampleVerify) and each case says so; with negatives where such an index would not pay.
// The corpus database has pg_trgm (database-corpus.test.ts creates it).
import type { CorpusCase } from './cases';

const w = (query: string, calls: number, meanMs: number, rowsPerCall = 1) => ({ query, calls, meanMs, rowsPerCall });
const sampled = { sampleVerify: { enabled: true, maxRows: 50_000, timeoutMs: 20_000 } };

const DOCS_SETUP = `CREATE TABLE {s}.docs (id int PRIMARY KEY, payload jsonb NOT NULL, note text);
      INSERT INTO {s}.docs SELECT g, jsonb_build_object('tenant', g % 3000, 'tag', 't' || (g % 500), 'n', g) ||
        CASE WHEN g % 50 = 0 THEN jsonb_build_object('flagged', true) ELSE '{}'::jsonb END, repeat('n', 600) FROM generate_series(1, 30000) g;`;

const ARTICLES_SETUP = `CREATE TABLE {s}.articles (id int PRIMARY KEY, title varchar(255) NOT NULL, pad text);
      INSERT INTO {s}.articles SELECT g, md5(g::text) || ' ' || g, repeat('p', 400) FROM generate_series(1, 40000) g;`;

export const GIN_CASES: CorpusCase[] = [
  {
    name: 'gin_jsonb_containment',
    why: 'jsonb containment (@>) only: a gin index with jsonb_path_ops (smaller than jsonb_ops), verified on a sample',
    setup: DOCS_SETUP,
    workload: [w('SELECT id, note FROM {s}.docs WHERE payload @> $1', 400, 6, 10)],
    options: sampled,
    expect: [{ table: 'docs', method: 'gin', keys: ['payload jsonb_path_ops'], usedBy: [0], verifiedBy: 'sample' }],
  },
  {
    name: 'gin_jsonb_key_exists',
    why: 'a jsonb key test (?) next to containment: jsonb_path_ops has no ?, so the default jsonb_ops',
    setup: DOCS_SETUP,
    workload: [
      w('SELECT id FROM {s}.docs WHERE payload ? $1', 300, 6, 600),
      w('SELECT id, note FROM {s}.docs WHERE payload @> $1', 200, 6, 10),
    ],
    options: sampled,
    expect: [{ table: 'docs', method: 'gin', keys: ['payload'], usedBy: [0, 1], verifiedBy: 'sample' }],
  },
  {
    name: 'gin_array_overlap',
    why: 'array overlap (&&) on a tags column: a gin index (array_ops)',
    setup: `CREATE TABLE {s}.posts (id int PRIMARY KEY, title text NOT NULL, tags text[] NOT NULL, body text);
      INSERT INTO {s}.posts SELECT g, 'p' || g, ARRAY['a' || (g % 700), 'b' || (g % 1100)], repeat('b', 400)
        FROM generate_series(1, 40000) g;`,
    workload: [w('SELECT id, title FROM {s}.posts WHERE tags && $1', 500, 5, 60)],
    options: sampled,
    expect: [{ table: 'posts', method: 'gin', keys: ['tags'], usedBy: [0], verifiedBy: 'sample' }],
  },
  {
    name: 'gin_fulltext_expression',
    why: "full text on an expression: to_tsvector('english', body) @@ q needs a gin index on that (immutable) expression",
    setup: `CREATE TABLE {s}.notes (id int PRIMARY KEY, body text NOT NULL);
      INSERT INTO {s}.notes SELECT g, 'note about w' || (g % 4000) || ' and x' || (g % 90) FROM generate_series(1, 30000) g;`,
    workload: [w("SELECT id FROM {s}.notes WHERE to_tsvector('english', body) @@ plainto_tsquery('english', $1)", 300, 40, 8)],
    options: sampled,
    expect: [{ table: 'notes', method: 'gin', keys: ["to_tsvector('english'::regconfig, body)"], usedBy: [0], verifiedBy: 'sample' }],
  },
  {
    name: 'gin_trigram_ilike',
    why: "ILIKE '%x%' (and ILIKE $1: no fixed prefix a btree could use): a gin index with pg_trgm's gin_trgm_ops",
    setup: `CREATE TABLE {s}.customers (id int PRIMARY KEY, name text NOT NULL, city text, pad text);
      INSERT INTO {s}.customers SELECT g, md5(g::text) || ' ' || g, 'c' || (g % 40), repeat('p', 400) FROM generate_series(1, 40000) g;`,
    workload: [
      w("SELECT id, name FROM {s}.customers WHERE name ILIKE '%4a7f3%'", 300, 9, 2),
      w('SELECT id FROM {s}.customers WHERE name ILIKE $1', 200, 9, 2),
    ],
    options: sampled,
    expect: [{ table: 'customers', method: 'gin', keys: ['name gin_trgm_ops'], usedBy: [0, 1], verifiedBy: 'sample' }],
  },
  {
    name: 'gin_trigram_upper_expression',
    why: "UPPER(title::text) LIKE UPPER('%x%') (Django icontains): a trigram gin on the expression upper(title::text)",
    setup: ARTICLES_SETUP,
    workload: [w("SELECT id, title FROM {s}.articles WHERE UPPER(title::text) LIKE UPPER('%4a7f3%')", 300, 9, 2)],
    options: sampled,
    expect: [{ table: 'articles', method: 'gin', keys: ['upper(title::text) gin_trgm_ops'], usedBy: [0], verifiedBy: 'sample' }],
  },
  {
    name: 'gin_trigram_upper_param_samples',
    why: 'UPPER(title::text) LIKE UPPER($1) whose sampled values all start with a wildcard (Django icontains): the trigram gin',
    setup: ARTICLES_SETUP,
    workload: [w('SELECT id, title FROM {s}.articles WHERE UPPER(title::text) LIKE UPPER($1)', 300, 9, 2)],
    samples: [
      "SELECT id, title FROM {s}.articles WHERE UPPER(title::text) LIKE UPPER('%4a7f3%')",
      "SELECT id, title FROM {s}.articles WHERE UPPER(title::text) LIKE UPPER('%b1c9e%')",
    ],
    options: sampled,
    expect: [
      {
        table: 'articles',
        method: 'gin',
        keys: ['upper(title::text) gin_trgm_ops'],
        usedBy: [0],
        verifiedBy: 'sample',
        usedBySamples: ["SELECT id, title FROM {s}.articles WHERE UPPER(title::text) LIKE UPPER('%4a7f3%')"],
      },
    ],
  },
  {
    name: 'gist_range_overlap',
    why: 'range overlap (&&) on a tstzrange column: a gist index',
    setup: `CREATE TABLE {s}.bookings (id int PRIMARY KEY, room int NOT NULL, during tstzrange NOT NULL, note text);
      INSERT INTO {s}.bookings SELECT g, g % 200, tstzrange(timestamptz '2024-01-01' + g * interval '10 minutes',
        timestamptz '2024-01-01' + g * interval '10 minutes' + interval '30 minutes'), repeat('n', 400) FROM generate_series(1, 40000) g;`,
    workload: [w('SELECT id, room FROM {s}.bookings WHERE during && $1', 400, 6, 3)],
    options: sampled,
    expect: [{ table: 'bookings', method: 'gist', keys: ['during'], usedBy: [0], verifiedBy: 'sample' }],
  },
  {
    name: 'gin_tiny_table',
    why: 'no index: jsonb containment on a 400-row table (below minTableRows; a scan reads a few pages)',
    setup: `CREATE TABLE {s}.flags (id int PRIMARY KEY, payload jsonb NOT NULL);
      INSERT INTO {s}.flags SELECT g, jsonb_build_object('k', g) FROM generate_series(1, 400) g;`,
    workload: [w('SELECT id FROM {s}.flags WHERE payload @> $1', 3000, 0.2)],
    options: sampled,
    expect: [],
  },
  {
    name: 'gin_containment_most_rows',
    why: 'no index: the containment matches 95% of the rows; on the sample the plan keeps the sequential scan',
    setup: `CREATE TABLE {s}.accounts (id int PRIMARY KEY, payload jsonb NOT NULL, note text);
      INSERT INTO {s}.accounts SELECT g, jsonb_build_object('active', g % 20 <> 0), repeat('n', 30) FROM generate_series(1, 40000) g;`,
    workload: [w(`SELECT id, note FROM {s}.accounts WHERE payload @> '{"active": true}'`, 200, 20, 38000)],
    options: sampled,
    expect: [],
  },
  {
    name: 'gin_existing_btree_first',
    why: 'no index: an existing btree on a selective column already finds the few rows (plan cost under 100 with it)',
    setup: `CREATE TABLE {s}.events (id int PRIMARY KEY, account_id int NOT NULL, payload jsonb NOT NULL, pad text);
      INSERT INTO {s}.events SELECT g, g % 5000, jsonb_build_object('kind', g % 7, 'n', g), repeat('p', 300) FROM generate_series(1, 40000) g;
      CREATE INDEX events_account ON {s}.events (account_id);`,
    workload: [w('SELECT id FROM {s}.events WHERE account_id = $1 AND payload @> $2', 400, 4, 1)],
    options: sampled,
    expect: [],
  },
  {
    name: 'gin_like_parameter_prefix',
    why: 'no gin index: LIKE $1 may be a prefix pattern (a btree serves that), and nothing says it is not',
    setup: `CREATE TABLE {s}.skus (id int PRIMARY KEY, code text NOT NULL);
      INSERT INTO {s}.skus SELECT g, 'SKU-' || lpad(g::text, 8, '0') FROM generate_series(1, 40000) g;`,
    workload: [w('SELECT id FROM {s}.skus WHERE code LIKE $1', 300, 5, 1)],
    options: sampled,
    expect: [],
  },
];
