// Corpus cases for keys beyond plain columns (issue 13, items 1 and 2): expression keys, and the key a
// prefix pattern needs (a pattern operator class unless the column's collation is C). The test
// database's default collation is C.UTF-8, which PostgreSQL 15 does not count as C.
import type { CorpusCase } from './cases';

const w = (query: string, calls: number, meanMs: number, rowsPerCall = 1) => ({ query, calls, meanMs, rowsPerCall });

export const EXPRESSION_CASES: CorpusCase[] = [
  {
    name: 'expr_limit_underestimated',
    why:
      'Django .get(email__iexact=...): UPPER(email) = UPPER($1) LIMIT 21 plans under cost 100 (the planner guesses many matches ' +
      'and an early stop) while each call scans the table: measured slow (slowMeanMs), analyzed anyway',
    setup: `CREATE TABLE {s}.auth_user (id int PRIMARY KEY, email varchar(254) NOT NULL, username varchar(150) NOT NULL);
      INSERT INTO {s}.auth_user SELECT g, 'User' || g || '@Example.com', 'u' || g FROM generate_series(1, 20000) g;`,
    workload: [w('SELECT id, email, username FROM {s}.auth_user WHERE UPPER({s}.auth_user.email::text) = UPPER($1) LIMIT 21', 500, 11, 1)],
    expect: [{ table: 'auth_user', keys: ['upper(email::text)'], usedBy: [0] }],
  },
  {
    name: 'expr_jsonb_field',
    why: "(payload ->> 'kind') = $1: an expression index on the jsonb field",
    setup: `CREATE TABLE {s}.events (id int PRIMARY KEY, payload jsonb NOT NULL);
      INSERT INTO {s}.events SELECT g, jsonb_build_object('kind', 'k' || (g % 4000), 'n', g) FROM generate_series(1, 50000) g;`,
    workload: [w("SELECT id FROM {s}.events WHERE (payload->>'kind') = $1", 400, 9, 12)],
    expect: [{ table: 'events', keys: ["(payload ->> 'kind')"], usedBy: [0] }],
  },
  {
    name: 'expr_cast',
    why: 'a cast of a text code to int compared with $1: an expression index on code::int4',
    setup: `CREATE TABLE {s}.parts (id int PRIMARY KEY, code text NOT NULL, label text);
      INSERT INTO {s}.parts SELECT g, ((g * 7919) % 50000)::text, 'l' || g FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id, label FROM {s}.parts WHERE code::int = $1', 400, 7, 1)],
    expect: [{ table: 'parts', keys: ['code::int4'], usedBy: [0] }],
  },
  {
    name: 'expr_date_trunc_timestamp',
    why: "date_trunc('day', t) on a timestamp (without time zone) is immutable: an expression index",
    setup: `CREATE TABLE {s}.visits (id int PRIMARY KEY, visited_at timestamp NOT NULL, page text);
      INSERT INTO {s}.visits SELECT g, timestamp '2020-01-01' + g * interval '30 minutes', 'p' || g FROM generate_series(1, 60000) g;`,
    workload: [w("SELECT id, page FROM {s}.visits WHERE date_trunc('day', visited_at) = $1", 300, 10, 48)],
    expect: [{ table: 'visits', keys: ["date_trunc('day', visited_at)"], usedBy: [0] }],
  },
  {
    name: 'expr_range',
    why: 'BETWEEN on an arithmetic expression: an expression index serves the range',
    setup: `CREATE TABLE {s}.payments (id int PRIMARY KEY, amount_cents int NOT NULL, note text);
      INSERT INTO {s}.payments SELECT g, (g * 7919) % 5000000, 'n' || g FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id FROM {s}.payments WHERE (amount_cents / 100) BETWEEN $1 AND $2', 300, 8, 20)],
    expect: [{ table: 'payments', keys: ['(amount_cents / 100)'], usedBy: [0] }],
  },
  {
    name: 'expr_already_indexed',
    why: "no index: an existing index on (payload ->> 'kind'::text), as pg_get_indexdef prints it, is the same expression",
    setup: `CREATE TABLE {s}.events (id int PRIMARY KEY, payload jsonb NOT NULL);
      INSERT INTO {s}.events SELECT g, jsonb_build_object('kind', 'k' || (g % 4000), 'n', g) FROM generate_series(1, 50000) g;
      CREATE INDEX events_kind ON {s}.events ((payload->>'kind'));`,
    workload: [w("SELECT id FROM {s}.events WHERE (payload->>'kind') = $1", 400, 9, 12)],
    note: 'an existing index already serves it (',
    expect: [],
  },
  {
    name: 'expr_not_immutable',
    why: "no index: date_trunc('day', t) on a timestamptz depends on the time zone (not immutable); PostgreSQL refuses it in an index",
    setup: `CREATE TABLE {s}.logins (id int PRIMARY KEY, at timestamptz NOT NULL, who int NOT NULL);
      INSERT INTO {s}.logins SELECT g, timestamptz '2020-01-01' + g * interval '30 minutes', g % 100 FROM generate_series(1, 60000) g;`,
    workload: [w("SELECT id FROM {s}.logins WHERE date_trunc('day', at) = $1", 300, 10, 48)],
    note: "(date_trunc('day', at)): functions in index expression must be marked IMMUTABLE",
    expect: [],
  },
  {
    name: 'expr_unselective',
    why: 'no index: lower(status) has at most 3 values (status has 3): a third of the rows each',
    setup: `CREATE TABLE {s}.jobs (id int PRIMARY KEY, status text NOT NULL, body text);
      INSERT INTO {s}.jobs SELECT g, (ARRAY['New', 'Done', 'Failed'])[1 + g % 3], repeat('b', 40) FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id FROM {s}.jobs WHERE lower(status) = $1', 300, 12, 16000)],
    note: 'no expression key for lower(status)',
    expect: [],
  },
  {
    name: 'expr_tiny_table',
    why: 'no index: lower(name) = $1 on a 300-row table',
    setup: `CREATE TABLE {s}.tags (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO {s}.tags SELECT g, 'Tag' || g FROM generate_series(1, 300) g;`,
    workload: [w('SELECT id FROM {s}.tags WHERE lower(name) = $1', 3000, 0.1, 1)],
    expect: [],
  },
];

// 60,000 customers with an email on the default (C.UTF-8: not C) collation, a C-collated handle and
// an ICU-collated display name; every value starts with 'u' (an unselective prefix).
const CUSTOMERS_SETUP = `CREATE TABLE {s}.customers (id int PRIMARY KEY, email text NOT NULL, handle text COLLATE "C" NOT NULL,
        display text COLLATE "und-x-icu" NOT NULL, sku varchar(20) NOT NULL, bio text);
      INSERT INTO {s}.customers SELECT g, 'user' || g || '@example.com', 'u' || g, 'User ' || g, 'SKU-' || ((g * 7919) % 60000), repeat('b', 40)
        FROM generate_series(1, 60000) g;`;

export const PATTERN_CASES: CorpusCase[] = [
  {
    name: 'prefix_like_default_collation',
    why: "email LIKE 'user123%' on a C.UTF-8 column: text_pattern_ops (a default btree cannot serve LIKE there)",
    setup: CUSTOMERS_SETUP,
    workload: [w("SELECT id FROM {s}.customers WHERE email LIKE 'user4711%'", 300, 9, 11)],
    expect: [{ table: 'customers', keys: ['email text_pattern_ops'], usedBy: [0] }],
  },
  {
    name: 'prefix_like_samples',
    why: 'sku LIKE $1 (as pg_stat_statements shows it) with sampled values: varchar_pattern_ops, verified on the custom plans',
    // Statistics from every row (ANALYZE samples 300 x the target): from a random 30,000 of the 60,000
    // the estimates wobbled enough that a covering INCLUDE (email, id) sometimes won (CI, 2026-12-01).
    setup: `${CUSTOMERS_SETUP}
      ALTER TABLE {s}.customers ALTER COLUMN sku SET STATISTICS 1000;`,
    workload: [w('SELECT id, email FROM {s}.customers WHERE sku LIKE $1', 300, 9, 11)],
    samples: [
      "SELECT id, email FROM {s}.customers WHERE sku LIKE 'SKU-4711%'",
      "SELECT id, email FROM {s}.customers WHERE sku LIKE 'SKU-123%'",
    ],
    expect: [
      {
        table: 'customers',
        keys: ['sku varchar_pattern_ops'],
        usedBy: [0],
        customOnly: true,
        usedBySamples: ["SELECT id, email FROM {s}.customers WHERE sku LIKE 'SKU-4711%'"],
      },
    ],
  },
  {
    name: 'prefix_regex_icu_expression',
    why: "lower(display) ~ '^user 12' on an ICU column: an expression key with text_pattern_ops",
    setup: CUSTOMERS_SETUP,
    workload: [w("SELECT id FROM {s}.customers WHERE lower(display) ~ '^user 4711'", 300, 12, 11)],
    expect: [{ table: 'customers', keys: ['lower(display) text_pattern_ops'], usedBy: [0] }],
  },
  {
    name: 'prefix_like_c_collation',
    why: "handle LIKE 'u4711%' on a C-collated column: a plain btree key serves the prefix",
    setup: CUSTOMERS_SETUP,
    workload: [w("SELECT id FROM {s}.customers WHERE handle LIKE 'u4711%'", 300, 9, 11)],
    expect: [{ table: 'customers', keys: ['handle'], usedBy: [0] }],
  },
  {
    name: 'prefix_existing_default_index',
    why: 'an existing default-opclass index on email (C.UTF-8) does not serve LIKE: text_pattern_ops is still proposed',
    setup: `${CUSTOMERS_SETUP}
      CREATE INDEX customers_email_default ON {s}.customers (email);`,
    workload: [w("SELECT id FROM {s}.customers WHERE email LIKE 'user4711%'", 300, 9, 11)],
    expect: [{ table: 'customers', keys: ['email text_pattern_ops'], usedBy: [0] }],
  },
  {
    name: 'prefix_leading_wildcard',
    why: "no btree key: LIKE '%4711...' has no prefix; a trigram GIN serves it (verified on a sample of the table)",
    setup: CUSTOMERS_SETUP,
    workload: [w("SELECT id FROM {s}.customers WHERE email LIKE '%4711@example.com'", 300, 9, 1)],
    options: { sampleVerify: { enabled: true, maxRows: 50_000, timeoutMs: 20_000 } },
    expect: [{ table: 'customers', method: 'gin', keys: ['email gin_trgm_ops'], verifiedBy: 'sample', usedBy: [0] }],
  },
  {
    name: 'prefix_unselective',
    why: "no index: every email starts with 'user' (LIKE 'user%' matches all rows)",
    setup: CUSTOMERS_SETUP,
    workload: [w("SELECT id FROM {s}.customers WHERE email LIKE 'user%'", 300, 20, 60000)],
    expect: [],
  },
  {
    name: 'prefix_upper_param_samples',
    why: 'UPPER(sku::text) LIKE UPPER($1) (Django istartswith) with sampled values: upper(sku::text) text_pattern_ops, on custom plans',
    setup: CUSTOMERS_SETUP,
    workload: [w('SELECT id, email FROM {s}.customers WHERE UPPER(sku::text) LIKE UPPER($1)', 300, 9, 11)],
    samples: [
      "SELECT id, email FROM {s}.customers WHERE UPPER(sku::text) LIKE UPPER('sku-4711%')",
      "SELECT id, email FROM {s}.customers WHERE UPPER(sku::text) LIKE UPPER('Sku-123%')",
    ],
    expect: [
      {
        table: 'customers',
        keys: ['upper(sku::text) text_pattern_ops'],
        usedBy: [0],
        customOnly: true,
        usedBySamples: ["SELECT id, email FROM {s}.customers WHERE UPPER(sku::text) LIKE UPPER('sku-4711%')"],
      },
    ],
  },
  {
    name: 'prefix_upper_param_no_samples',
    why: 'no index: UPPER(sku::text) LIKE UPPER($1) without sampled values (prefix or infix: only values can tell)',
    setup: CUSTOMERS_SETUP,
    workload: [w('SELECT id, email FROM {s}.customers WHERE UPPER(sku::text) LIKE UPPER($1)', 300, 9, 11)],
    note: 'a prefix-pattern index needs real values to verify',
    expect: [],
  },
  {
    name: 'prefix_param_no_samples',
    why: 'no index: sku LIKE $1 without sampled values: a prefix index needs real values to verify (a generic plan never uses it)',
    setup: CUSTOMERS_SETUP,
    workload: [w('SELECT id, email FROM {s}.customers WHERE sku LIKE $1', 300, 9, 11)],
    note: 'a prefix-pattern index needs real values to verify',
    expect: [],
  },
];
