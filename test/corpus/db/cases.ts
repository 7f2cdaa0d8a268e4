// The index advisor's corpus: schema + data + workload -> the expected indexes (table, key columns in
// order with direction, INCLUDE columns), including cases where the right answer is "no index".
// `{s}` in SQL is the case's own schema. Data is deterministic (no random()); sizes are small so the
// whole corpus runs in well under a minute, but large enough that plans cost more than Dexter's 100.
import type { AdvisorOptions, TableWrites } from '../../../activities/skills/database-optimization-analyzer/advisor';
import { OR_CASES } from './or-cases';
import { TIE_CASES } from './tie-cases';
import { GIN_CASES } from './gin-cases';
import { EXPRESSION_CASES, PATTERN_CASES } from './expression-cases';

export interface ExpectedIndex {
  table: string;
  /** Keys in order as describeIndexKey writes them: `name`, `name DESC`, `lower(email)`, `email text_pattern_ops`, `payload jsonb_path_ops`. */
  keys: string[];
  /** Absent: btree. */
  method?: 'gin' | 'gist';
  /** Absent: hypopg. */
  verifiedBy?: 'hypopg' | 'sample';
  include?: string[];
  /** Indexes (into `workload`) of the statements whose generic plan must use the index once it is built. */
  usedBy: number[];
  /** What the recommendation's column notes must say: each pattern (or text) matched by at least one note. */
  columnNotes?: (RegExp | string)[];
  /** The statements' generic plans cannot use it (a pattern given as $n): only the samples' custom plans are checked. */
  customOnly?: boolean;
  /** Sample texts (of `samples`) whose custom plans must use the index once it is built. */
  usedBySamples?: string[];
}

export interface CorpusCase {
  name: string;
  why: string;
  setup: string;
  workload: { query: string; calls: number; meanMs: number; rowsPerCall: number }[];
  writes?: Omit<TableWrites, 'schema'>[];
  options?: Partial<AdvisorOptions>;
  /** Literal-bearing instances of the workload's statements (as pg_stat_activity shows them): planned as custom plans. */
  samples?: string[];
  /** A text the advisor's notes must hold (why a "no index" case got none). */
  note?: string;
  expect: ExpectedIndex[];
}

// Articles inserted in time order (created_at follows the heap), with their authors (many, wide rows:
// joining 10% of the articles to them costs as much as sorting the articles): ORM pagination shapes.
const ARTICLES_SETUP = `CREATE TABLE {s}.users (id int PRIMARY KEY, username text NOT NULL, bio text);
      INSERT INTO {s}.users SELECT g, 'u' || g, repeat('x', 200) FROM generate_series(1, 300000) g;
      CREATE TABLE {s}.articles (id int PRIMARY KEY, author_id int NOT NULL, title text NOT NULL, body text, created_at timestamptz NOT NULL);
      INSERT INTO {s}.articles SELECT g, 1 + (g * 7919) % 300000, 't' || g, repeat('b', 60), timestamptz '2024-01-01' + g * interval '1 minute'
        FROM generate_series(1, 80000) g;`;

const w = (query: string, calls: number, meanMs: number, rowsPerCall = 1) => ({ query, calls, meanMs, rowsPerCall });

export const CASES: CorpusCase[] = [
  {
    name: 'eq_single',
    why: 'equality on a selective column of a 50k-row table',
    setup: `CREATE TABLE {s}.orders (id int PRIMARY KEY, customer_id int NOT NULL, total numeric(10,2) NOT NULL, note text);
      INSERT INTO {s}.orders SELECT g, (g * 7919) % 5000, g % 300, 'n' || g FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id, total FROM {s}.orders WHERE customer_id = $1', 500, 4, 10)],
    expect: [{ table: 'orders', keys: ['customer_id'], usedBy: [0] }],
  },
  {
    name: 'eq_sort_limit',
    why: 'the demo shape: equality then ORDER BY ... DESC LIMIT: the index also gives the order',
    setup:
      `CREATE TABLE {s}.products (id int PRIMARY KEY, category_id int NOT NULL, name text NOT NULL, price numeric(10,2), created_at timestamptz NOT NULL);
      INSERT INTO {s}.products SELECT g, 1 + (g * 7) % 50, 'p' || g, g % 999, ` +
      `timestamptz '2024-01-01' + ((g * 7919) % 31536000) * interval '1 second' FROM generate_series(1, 60000) g;`,
    workload: [
      w(
        'SELECT id, name, price, created_at FROM {s}.products WHERE category_id = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3',
        300,
        8,
        20,
      ),
    ],
    expect: [{ table: 'products', keys: ['category_id', 'created_at DESC'], usedBy: [0] }],
  },
  {
    name: 'tiny_table',
    why: 'no index: 300 rows fit in a few pages; a scan is as cheap as an index',
    setup: `CREATE TABLE {s}.settings (id int PRIMARY KEY, k text NOT NULL, v text);
      INSERT INTO {s}.settings SELECT g, 'key' || g, 'v' FROM generate_series(1, 300) g;`,
    workload: [w('SELECT v FROM {s}.settings WHERE k = $1', 5000, 0.1)],
    expect: [],
  },
  {
    name: 'low_selectivity',
    why: 'no index: half the rows match; fetching them through an index costs more than a scan',
    setup: `CREATE TABLE {s}.tickets (id int PRIMARY KEY, status int NOT NULL, title text NOT NULL, body text NOT NULL);
      INSERT INTO {s}.tickets SELECT g, g % 2, 'title ' || g, repeat('b', 40) FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT * FROM {s}.tickets WHERE status = $1', 200, 15, 25000)],
    expect: [],
  },
  {
    name: 'already_covered_prefix',
    why: 'no index: an existing (customer_id, created_at) index starts with the column',
    setup: `CREATE TABLE {s}.invoices (id int PRIMARY KEY, customer_id int NOT NULL, created_at timestamptz NOT NULL, amount int);
      INSERT INTO {s}.invoices SELECT g, (g * 31) % 4000, timestamptz '2024-01-01' + g * interval '1 minute', g % 1000 FROM generate_series(1, 50000) g;
      CREATE INDEX invoices_customer_created_idx ON {s}.invoices (customer_id, created_at);`,
    workload: [w('SELECT id, amount FROM {s}.invoices WHERE customer_id = $1', 400, 0.2, 12)],
    expect: [],
  },
  {
    name: 'already_covered_permuted',
    why: 'no index: equality on (a, b) is served by an existing (b, a) index',
    setup: `CREATE TABLE {s}.pairs (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL, v int);
      INSERT INTO {s}.pairs SELECT g, g % 300, (g * 13) % 700, g FROM generate_series(1, 50000) g;
      CREATE INDEX pairs_b_a_idx ON {s}.pairs (b, a);`,
    workload: [w('SELECT v FROM {s}.pairs WHERE a = $1 AND b = $2', 400, 0.2, 1)],
    expect: [],
  },
  {
    name: 'write_heavy',
    why: 'no index: the lookup runs 5 times in the window while 200k rows are inserted: maintaining the index costs more than it saves',
    setup: `CREATE TABLE {s}.events (id bigint PRIMARY KEY, device_id int NOT NULL, kind int NOT NULL, payload text);
      INSERT INTO {s}.events SELECT g, (g * 17) % 3000, g % 20, 'x' FROM generate_series(1, 50000) g;`,
    workload: [
      w('SELECT id, kind FROM {s}.events WHERE device_id = $1', 5, 4, 16),
      w('INSERT INTO {s}.events (id, device_id, kind, payload) VALUES ($1, $2, $3, $4)', 200000, 0.05, 1),
    ],
    expect: [],
  },
  {
    name: 'write_light',
    why: 'the same table, but the lookup is frequent and the inserts few: the index pays for itself',
    setup: `CREATE TABLE {s}.events (id bigint PRIMARY KEY, device_id int NOT NULL, kind int NOT NULL, payload text);
      INSERT INTO {s}.events SELECT g, (g * 17) % 3000, g % 20, 'x' FROM generate_series(1, 50000) g;`,
    workload: [
      w('SELECT id, kind FROM {s}.events WHERE device_id = $1', 2000, 4, 16),
      w('INSERT INTO {s}.events (id, device_id, kind, payload) VALUES ($1, $2, $3, $4)', 5000, 0.05, 1),
    ],
    expect: [{ table: 'events', keys: ['device_id'], usedBy: [0] }],
  },
  {
    name: 'shared_two_statements',
    why: 'one index serves two statements: (tenant_id, status) for tenant+status and tenant alone',
    setup: `CREATE TABLE {s}.tasks (id int PRIMARY KEY, tenant_id int NOT NULL, status int NOT NULL, title text);
      INSERT INTO {s}.tasks SELECT g, (g * 7) % 2000, g % 5, 't' || g FROM generate_series(1, 60000) g;`,
    workload: [
      w('SELECT id, title FROM {s}.tasks WHERE tenant_id = $1 AND status = $2', 800, 4, 6),
      w('SELECT id, title FROM {s}.tasks WHERE tenant_id = $1', 600, 4, 30),
    ],
    expect: [{ table: 'tasks', keys: ['tenant_id', 'status'], usedBy: [0, 1] }],
  },
  {
    name: 'shared_prefix_reordered',
    why: 'selectivity alone would order (b, a) for the first statement; (a, b) serves both statements with one index',
    setup: `CREATE TABLE {s}.items (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL, v int);
      INSERT INTO {s}.items SELECT g, g % 400, (g * 7919) % 10000, g FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT v FROM {s}.items WHERE a = $1 AND b = $2', 500, 4, 1), w('SELECT v FROM {s}.items WHERE a = $1', 500, 4, 150)],
    expect: [{ table: 'items', keys: ['a', 'b'], usedBy: [0, 1] }],
  },
  {
    name: 'selectivity_order',
    why: 'two equality columns: the more selective (user_id, 5000 values) goes first, not the one written first (kind, 4 values)',
    setup: `CREATE TABLE {s}.notifications (id int PRIMARY KEY, kind int NOT NULL, user_id int NOT NULL, body text);
      INSERT INTO {s}.notifications SELECT g, g % 4, (g * 7919) % 5000, 'b' FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT id, body FROM {s}.notifications WHERE kind = $1 AND user_id = $2', 1000, 4, 3)],
    expect: [{ table: 'notifications', keys: ['user_id', 'kind'], usedBy: [0] }],
  },
  {
    name: 'range_only',
    why: 'a two-sided range on a timestamp (rows inserted in time order)',
    setup: `CREATE TABLE {s}.logs (id int PRIMARY KEY, created_at timestamptz NOT NULL, level int, msg text);
      INSERT INTO {s}.logs SELECT g, timestamptz '2024-01-01' + g * interval '1 minute', g % 5, 'm' FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id, msg FROM {s}.logs WHERE created_at >= $1 AND created_at < $2', 300, 5, 60)],
    expect: [{ table: 'logs', keys: ['created_at'], usedBy: [0] }],
  },
  {
    name: 'eq_then_range',
    why: 'equality first, the range column last',
    setup:
      `CREATE TABLE {s}.payments (id int PRIMARY KEY, account_id int NOT NULL, paid_at timestamptz NOT NULL, amount int);
      INSERT INTO {s}.payments SELECT g, (g * 13) % 1000, ` +
      `timestamptz '2024-01-01' + ((g * 7919) % 50000) * interval '1 minute', g % 100 FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id, amount FROM {s}.payments WHERE account_id = $1 AND paid_at > $2', 500, 4, 20)],
    expect: [{ table: 'payments', keys: ['account_id', 'paid_at'], usedBy: [0] }],
  },
  {
    name: 'in_array',
    why: '= ANY($1) (the batched lookup) is served by a plain index on the column',
    setup: `CREATE TABLE {s}.stock (id int PRIMARY KEY, sku int NOT NULL, qty int NOT NULL);
      INSERT INTO {s}.stock SELECT g, (g * 7919) % 40000, g % 50 FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT sku, qty FROM {s}.stock WHERE sku = ANY($1)', 400, 5, 12)],
    expect: [{ table: 'stock', keys: ['sku'], usedBy: [0] }],
  },
  {
    name: 'is_null',
    why: 'IS NULL on a column that is NULL in 0.1% of the rows (a queue of unprocessed rows)',
    setup:
      `CREATE TABLE {s}.jobs (id int PRIMARY KEY, processed_at timestamptz, payload text NOT NULL);
      INSERT INTO {s}.jobs SELECT g, CASE WHEN g % 1000 = 0 THEN NULL ` +
      `ELSE timestamptz '2024-01-01' + g * interval '1 second' END, 'p' FROM generate_series(1, 100000) g;`,
    workload: [w('SELECT id, payload FROM {s}.jobs WHERE processed_at IS NULL', 600, 9, 100)],
    expect: [{ table: 'jobs', keys: ['processed_at'], usedBy: [0] }],
  },
  {
    name: 'join_fk',
    why: 'join on a foreign key with no index on the referencing side: the nested loop probes orders by customer_id',
    setup: `CREATE TABLE {s}.customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, name text);
      INSERT INTO {s}.customers SELECT g, 'user' || g || '@example.com', 'n' FROM generate_series(1, 20000) g;
      CREATE TABLE {s}.orders (id int PRIMARY KEY, customer_id int NOT NULL, total int NOT NULL);
      INSERT INTO {s}.orders SELECT g, 1 + (g * 7919) % 20000, g % 500 FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT o.id, o.total FROM {s}.customers c JOIN {s}.orders o ON o.customer_id = c.id WHERE c.email = $1', 800, 6, 3)],
    expect: [{ table: 'orders', keys: ['customer_id'], usedBy: [0] }],
  },
  {
    name: 'join_both_sides',
    why: 'a join where neither side has an index: each alone saves too little, the two together serve the statement',
    setup: `CREATE TABLE {s}.authors (id int PRIMARY KEY, handle text NOT NULL, bio text);
      INSERT INTO {s}.authors SELECT g, 'h' || g, 'b' FROM generate_series(1, 30000) g;
      CREATE TABLE {s}.posts (id int PRIMARY KEY, author_ref int NOT NULL, title text);
      INSERT INTO {s}.posts SELECT g, 1 + (g * 7919) % 30000, 't' FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT p.id, p.title FROM {s}.authors a JOIN {s}.posts p ON p.author_ref = a.id WHERE a.handle = $1', 500, 8, 2)],
    expect: [
      { table: 'authors', keys: ['handle'], usedBy: [0] },
      { table: 'posts', keys: ['author_ref'], usedBy: [0] },
    ],
  },
  {
    name: 'order_by_limit_only',
    why: 'no filter, ORDER BY ... DESC LIMIT: the index gives the first rows without sorting the table',
    setup: `CREATE TABLE {s}.feed (id int PRIMARY KEY, created_at timestamptz NOT NULL, body text);
      INSERT INTO {s}.feed SELECT g, timestamptz '2024-01-01' + ((g * 7919) % 60000) * interval '1 minute', 'b' FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT id, body FROM {s}.feed ORDER BY created_at DESC LIMIT $1', 800, 9, 50)],
    expect: [{ table: 'feed', keys: ['created_at DESC'], usedBy: [0] }],
  },
  {
    name: 'multi_column_sort',
    why: 'equality then two ORDER BY keys (keyset pagination)',
    setup: `CREATE TABLE {s}.messages (id int PRIMARY KEY, room_id int NOT NULL, sent_at timestamptz NOT NULL, body text);
      INSERT INTO {s}.messages SELECT g, g % 100, timestamptz '2024-01-01' + ((g * 7919) % 3000) * interval '1 minute', 'b' FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT id, body FROM {s}.messages WHERE room_id = $1 ORDER BY sent_at DESC, id DESC LIMIT $2', 700, 6, 30)],
    expect: [{ table: 'messages', keys: ['room_id', 'sent_at DESC', 'id DESC'], usedBy: [0] }],
  },
  {
    name: 'mixed_direction_sort',
    why: 'ORDER BY priority DESC, created_at ASC needs those directions in the index (a backward scan cannot mix them)',
    setup: `CREATE TABLE {s}.queue (id int PRIMARY KEY, worker int NOT NULL, priority int NOT NULL, created_at timestamptz NOT NULL);
      INSERT INTO {s}.queue SELECT g, g % 50, g % 10, timestamptz '2024-01-01' + ((g * 7919) % 60000) * interval '1 second' FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT id FROM {s}.queue WHERE worker = $1 ORDER BY priority DESC, created_at LIMIT $2', 900, 7, 10)],
    expect: [{ table: 'queue', keys: ['worker', 'priority DESC', 'created_at'], usedBy: [0] }],
  },
  {
    name: 'covering_include',
    why: 'the matching rows are spread over every page: only an index-only scan (INCLUDE total) beats the scan',
    setup: `CREATE TABLE {s}.sales (id int PRIMARY KEY, region_id int NOT NULL, total int NOT NULL, notes text NOT NULL);
      INSERT INTO {s}.sales SELECT g, g % 40, g % 997, repeat('n', 60) FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT sum(total) FROM {s}.sales WHERE region_id = $1', 600, 10, 1)],
    expect: [{ table: 'sales', keys: ['region_id'], include: ['total'], usedBy: [0] }],
  },
  {
    name: 'update_where',
    why: 'an UPDATE finds its row by token: its WHERE is planned (EXPLAIN only) and needs an index; the updated column is not in it, so updates stay HOT',
    setup: `CREATE TABLE {s}.sessions (id int PRIMARY KEY, token text NOT NULL, last_seen timestamptz);
      INSERT INTO {s}.sessions SELECT g, md5(g::text), now() FROM generate_series(1, 50000) g;`,
    workload: [w('UPDATE {s}.sessions SET last_seen = $1 WHERE token = $2', 3000, 5, 1)],
    expect: [{ table: 'sessions', keys: ['token'], usedBy: [0] }],
  },
  {
    name: 'delete_where',
    why: 'a DELETE by a foreign key',
    setup: `CREATE TABLE {s}.cart_items (id int PRIMARY KEY, cart_id int NOT NULL, product_id int NOT NULL);
      INSERT INTO {s}.cart_items SELECT g, (g * 7919) % 12000, g % 900 FROM generate_series(1, 50000) g;`,
    workload: [w('DELETE FROM {s}.cart_items WHERE cart_id = $1', 800, 4, 4)],
    expect: [{ table: 'cart_items', keys: ['cart_id'], usedBy: [0] }],
  },
  {
    name: 'expression_predicate',
    why: 'lower(email) = $1 needs an expression index on lower(email) (a plain index on email cannot serve it)',
    setup: `CREATE TABLE {s}.accounts (id int PRIMARY KEY, email text NOT NULL);
      INSERT INTO {s}.accounts SELECT g, 'User' || g || '@Example.com' FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id FROM {s}.accounts WHERE lower(email) = $1', 500, 8, 1)],
    expect: [{ table: 'accounts', keys: ['lower(email)'], usedBy: [0] }],
  },
  {
    name: 'cheap_plan',
    why: "no index: the statement's plan costs less than Dexter's 100 (a 3,000-row table, the row minimum lowered to let it through)",
    setup: `CREATE TABLE {s}.flags (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO {s}.flags SELECT g, 'f' || g FROM generate_series(1, 3000) g;`,
    workload: [w('SELECT id FROM {s}.flags WHERE name = $1', 5000, 0.3, 1)],
    options: { minTableRows: 1000 },
    expect: [],
  },
  {
    name: 'in_subquery',
    why: 'IN (SELECT ...): the inner block filters logins by ip',
    setup: `CREATE TABLE {s}.users (id int PRIMARY KEY, name text NOT NULL);
      INSERT INTO {s}.users SELECT g, 'u' || g FROM generate_series(1, 20000) g;
      CREATE TABLE {s}.logins (id int PRIMARY KEY, user_id int NOT NULL, ip int NOT NULL);
      INSERT INTO {s}.logins SELECT g, 1 + (g * 7) % 20000, (g * 7919) % 15000 FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT u.name FROM {s}.users u WHERE u.id IN (SELECT l.user_id FROM {s}.logins l WHERE l.ip = $1)', 600, 6, 4)],
    expect: [{ table: 'logins', keys: ['ip'], usedBy: [0] }],
  },
  {
    name: 'cte',
    why: 'a filter inside a WITH query',
    setup: `CREATE TABLE {s}.articles (id int PRIMARY KEY, author_id int NOT NULL, title text);
      INSERT INTO {s}.articles SELECT g, (g * 7919) % 6000, 't' FROM generate_series(1, 50000) g;`,
    workload: [
      w(
        'WITH mine AS (SELECT id, title FROM {s}.articles WHERE author_id = $1) SELECT id, title FROM mine ORDER BY id LIMIT $2',
        500,
        5,
        8,
      ),
    ],
    expect: [{ table: 'articles', keys: ['author_id'], usedBy: [0] }],
  },
  {
    name: 'union_two_tables',
    why: 'one statement, two tables (UNION ALL): an index on each side',
    setup: `CREATE TABLE {s}.a (id int PRIMARY KEY, x int NOT NULL);
      INSERT INTO {s}.a SELECT g, (g * 7919) % 9000 FROM generate_series(1, 60000) g;
      CREATE TABLE {s}.b (id int PRIMARY KEY, y int NOT NULL);
      INSERT INTO {s}.b SELECT g, (g::bigint * 104729) % 8000 FROM generate_series(1, 40000) g;`,
    workload: [w('SELECT id FROM {s}.a WHERE x = $1 UNION ALL SELECT id FROM {s}.b WHERE y = $1', 500, 7, 12)],
    expect: [
      { table: 'a', keys: ['x'], usedBy: [0] },
      { table: 'b', keys: ['y'], usedBy: [0] },
    ],
  },
  {
    name: 'correlated_subquery',
    why: 'a correlated subquery counts comments per post: the join key comments.post_id (posts.author_id is already indexed)',
    setup: `CREATE TABLE {s}.posts (id int PRIMARY KEY, author_id int NOT NULL, title text);
      INSERT INTO {s}.posts SELECT g, g % 2000, 't' FROM generate_series(1, 20000) g;
      CREATE INDEX posts_author_idx ON {s}.posts (author_id);
      CREATE TABLE {s}.comments (id int PRIMARY KEY, post_id int NOT NULL, body text);
      INSERT INTO {s}.comments SELECT g, 1 + (g * 7919) % 20000, 'c' FROM generate_series(1, 60000) g;`,
    workload: [
      w(
        'SELECT p.id, (SELECT count(*) FROM {s}.comments c WHERE c.post_id = p.id) AS n FROM {s}.posts p WHERE p.author_id = $1',
        500,
        20,
        10,
      ),
    ],
    expect: [{ table: 'comments', keys: ['post_id'], usedBy: [0] }],
  },
  {
    name: 'two_tables_two_statements',
    why: 'the workload-wide view: two unrelated statements, one index each, ranked by time saved',
    setup: `CREATE TABLE {s}.devices (id int PRIMARY KEY, serial text NOT NULL, owner int);
      INSERT INTO {s}.devices SELECT g, 'SN' || g, g % 100 FROM generate_series(1, 40000) g;
      CREATE TABLE {s}.readings (id int PRIMARY KEY, sensor int NOT NULL, value int);
      INSERT INTO {s}.readings SELECT g, (g * 7919) % 5000, g % 100 FROM generate_series(1, 60000) g;`,
    workload: [
      w('SELECT id, owner FROM {s}.devices WHERE serial = $1', 300, 4, 1),
      w('SELECT value FROM {s}.readings WHERE sensor = $1', 900, 5, 12),
    ],
    expect: [
      { table: 'readings', keys: ['sensor'], usedBy: [1] },
      { table: 'devices', keys: ['serial'], usedBy: [0] },
    ],
  },
  {
    name: 'rare_statement',
    why: 'no index: the statement saves ~0.8 ms per call but runs 3 times while 5,000 rows are written',
    setup: `CREATE TABLE {s}.audit (id int PRIMARY KEY, actor int NOT NULL, action text);
      INSERT INTO {s}.audit SELECT g, (g * 7919) % 8000, 'a' FROM generate_series(1, 50000) g;`,
    workload: [
      w('SELECT id, action FROM {s}.audit WHERE actor = $1', 3, 4, 6),
      w('INSERT INTO {s}.audit (id, actor, action) VALUES ($1, $2, $3)', 5000, 0.05, 1),
    ],
    expect: [],
  },
  {
    name: 'orm_subquery_page',
    why: 'Sequelize/Objection: ORDER BY created_at DESC LIMIT/OFFSET inside a subquery joined outside (the LIMIT is not at the top)',
    setup: ARTICLES_SETUP,
    workload: [
      w(
        'SELECT a.*, u.username, u.bio FROM (SELECT id, title, author_id, created_at FROM {s}.articles ORDER BY created_at DESC LIMIT $1 OFFSET $2) AS a ' +
          'LEFT JOIN {s}.users u ON u.id = a.author_id ORDER BY a.created_at DESC',
        600,
        30,
        10,
      ),
    ],
    expect: [{ table: 'articles', keys: ['created_at DESC'], usedBy: [0] }],
  },
  {
    name: 'orm_distinct_alias_page',
    why:
      'TypeORM: an outer ORDER BY ... LIMIT over a DISTINCT subquery; the sort keys reach the table only through column aliases ' +
      '(both keys: the index gives the DISTINCT its order too)',
    setup: ARTICLES_SETUP,
    workload: [
      w(
        'SELECT DISTINCT "distinctAlias"."article_id" AS "ids_article_id", "distinctAlias"."article_createdAt" FROM (SELECT "article"."id" AS "article_id", ' +
          '"article"."title" AS "article_title", "article"."created_at" AS "article_createdAt", ' +
          '"author"."id" AS "author_id", "author"."username" AS "author_username" ' +
          'FROM {s}.articles "article" LEFT JOIN {s}.users "author" ON "author"."id" = "article"."author_id") "distinctAlias" ' +
          'ORDER BY "distinctAlias"."article_createdAt" DESC, "article_id" ASC LIMIT $1',
        600,
        30,
        10,
      ),
    ],
    expect: [{ table: 'articles', keys: ['created_at DESC', 'id'], usedBy: [0] }],
  },
  {
    name: 'cte_page',
    why: 'a CTE holds the ORDER BY created_at DESC LIMIT/OFFSET page, joined outside',
    setup: ARTICLES_SETUP,
    workload: [
      w(
        'WITH page AS (SELECT id, title, author_id, created_at FROM {s}.articles ORDER BY created_at DESC LIMIT $1 OFFSET $2) ' +
          'SELECT p.id, p.title, u.username, u.bio FROM page p JOIN {s}.users u ON u.id = p.author_id ORDER BY p.created_at DESC',
        600,
        30,
        10,
      ),
    ],
    expect: [{ table: 'articles', keys: ['created_at DESC'], usedBy: [0] }],
  },
  {
    name: 'subquery_value',
    why:
      'Knex whereRaw (the Bookshelf RealWorld app): author_id = (SELECT id FROM users WHERE username = $1), an uncorrelated ' +
      'subquery run once (InitPlan) whose value probes the index, in a count and in an ORDER BY ... LIMIT page',
    setup: `CREATE TABLE {s}.users (id int PRIMARY KEY, username text NOT NULL UNIQUE);
      INSERT INTO {s}.users SELECT g, 'u' || g FROM generate_series(1, 20000) g;
      CREATE TABLE {s}.articles (id int PRIMARY KEY, author_id int NOT NULL, title text NOT NULL, body text, created_at timestamptz NOT NULL);
      INSERT INTO {s}.articles SELECT g, 1 + (g * 7919) % 20000, 't' || g, repeat('b', 60), timestamptz '2024-01-01' + g * interval '1 minute'
        FROM generate_series(1, 50000) g;`,
    workload: [
      w('SELECT count(DISTINCT articles.id) FROM {s}.articles WHERE author_id = (SELECT id FROM {s}.users WHERE username = $1)', 300, 6, 1),
      w(
        'SELECT articles.* FROM {s}.articles WHERE author_id = (SELECT id FROM {s}.users WHERE username = $1) ORDER BY articles.created_at DESC LIMIT $2',
        300,
        7,
        2.5,
      ),
    ],
    expect: [{ table: 'articles', keys: ['author_id'], usedBy: [0, 1] }],
  },
  ...TIE_CASES,
  ...OR_CASES,
  ...GIN_CASES,
  ...EXPRESSION_CASES,
  ...PATTERN_CASES,
];
