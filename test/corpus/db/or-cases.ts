// Corpus cases for ORs over different columns (advisor/or-sets.ts, or-set-choice.ts): a BitmapOr needs
// an index for every branch; one alone gives nothing, so the indexes are chosen (or rejected) as a set.
import type { CorpusCase } from './cases';

const w = (query: string, calls: number, meanMs: number, rowsPerCall = 1) => ({ query, calls, meanMs, rowsPerCall });

export const OR_CASES: CorpusCase[] = [
  {
    name: 'or_two_columns',
    why: 'a = $1 OR b = $2 on two selective columns: one index per branch, chosen as a set (BitmapOr)',
    setup: `CREATE TABLE {s}.transfers (id int PRIMARY KEY, sender_id int NOT NULL, receiver_id int NOT NULL, amount int, note text);
      INSERT INTO {s}.transfers SELECT g, (g * 7919) % 5000, (g * 3581) % 5000, g % 1000, 'n' || g FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id, amount FROM {s}.transfers WHERE sender_id = $1 OR receiver_id = $2', 500, 5, 20)],
    expect: [
      { table: 'transfers', keys: ['receiver_id'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
      { table: 'transfers', keys: ['sender_id'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
    ],
  },
  {
    name: 'or_in_list',
    why: 'email = $1 OR phone IN ($2, $3): the IN branch is served by its own index in the BitmapOr',
    setup: `CREATE TABLE {s}.contacts (id int PRIMARY KEY, email text NOT NULL, phone text NOT NULL, name text);
      INSERT INTO {s}.contacts SELECT g, 'e' || g || '@x.org', '+1' || ((g * 7919) % 40000), 'c' || g FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id, name FROM {s}.contacts WHERE email = $1 OR phone IN ($2, $3)', 400, 5, 3)],
    expect: [
      { table: 'contacts', keys: ['email'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
      { table: 'contacts', keys: ['phone'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
    ],
  },
  {
    name: 'or_conjunction_branch',
    why: '(tenant_id = $1 AND kind = $2) OR assignee_id = $3: the conjunction branch gets its two-column key',
    setup: `CREATE TABLE {s}.tasks (id int PRIMARY KEY, tenant_id int NOT NULL, kind int NOT NULL, assignee_id int NOT NULL, title text);
      INSERT INTO {s}.tasks SELECT g, (g * 31) % 500, g % 10, (g * 7919) % 8000, 't' || g FROM generate_series(1, 60000) g;`,
    workload: [w('SELECT id, title FROM {s}.tasks WHERE (tenant_id = $1 AND kind = $2) OR assignee_id = $3', 400, 6, 20)],
    expect: [
      { table: 'tasks', keys: ['assignee_id'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
      { table: 'tasks', keys: ['tenant_id', 'kind'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
    ],
  },
  {
    name: 'or_ranges',
    why: 'an OR of two ranges (BETWEEN) on two timestamps: one index per range',
    setup: `CREATE TABLE {s}.shipments (id int PRIMARY KEY, shipped_at timestamptz NOT NULL, delivered_at timestamptz NOT NULL, ref text);
      INSERT INTO {s}.shipments SELECT g, timestamptz '2024-01-01' + g * interval '1 minute',
        timestamptz '2024-01-01' + ((g * 7919) % 50000) * interval '1 minute', 'r' || g FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id, ref FROM {s}.shipments WHERE shipped_at BETWEEN $1 AND $2 OR delivered_at BETWEEN $3 AND $4', 300, 6, 40)],
    expect: [
      { table: 'shipments', keys: ['delivered_at'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
      { table: 'shipments', keys: ['shipped_at'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
    ],
  },
  {
    name: 'or_one_side_indexed',
    why: 'one branch already has an index: only the other branch needs one, and it serves the BitmapOr with the existing index',
    setup: `CREATE TABLE {s}.messages (id int PRIMARY KEY, from_id int NOT NULL, to_id int NOT NULL, body text);
      INSERT INTO {s}.messages SELECT g, (g * 7919) % 5000, (g * 3581) % 5000, repeat('m', 30) FROM generate_series(1, 50000) g;
      CREATE INDEX messages_from_idx ON {s}.messages (from_id);`,
    workload: [w('SELECT id, body FROM {s}.messages WHERE from_id = $1 OR to_id = $2', 500, 5, 20)],
    expect: [
      { table: 'messages', keys: ['to_id'], usedBy: [0], columnNotes: ['serves a BitmapOr with the existing index messages_from_idx'] },
    ],
  },
  {
    name: 'or_two_statements',
    why: 'the same OR in a page and in a count: the set chosen for the heavier one also serves the other (streamed: from the tail)',
    setup: `CREATE TABLE {s}.invites (id int PRIMARY KEY, inviter_id int NOT NULL, invitee_id int NOT NULL, code text);
      INSERT INTO {s}.invites SELECT g, (g * 7919) % 5000, (g * 3581) % 5000, 'c' || g FROM generate_series(1, 50000) g;`,
    workload: [
      w('SELECT id, code FROM {s}.invites WHERE inviter_id = $1 OR invitee_id = $2', 500, 5, 20),
      w('SELECT count(*) FROM {s}.invites WHERE inviter_id = $1 OR invitee_id = $2', 200, 4, 1),
    ],
    expect: [
      { table: 'invites', keys: ['invitee_id'], usedBy: [0, 1], columnNotes: ['serves a BitmapOr with the proposed index'] },
      { table: 'invites', keys: ['inviter_id'], usedBy: [0, 1], columnNotes: ['serves a BitmapOr with the proposed index'] },
    ],
  },
  {
    name: 'or_lighter_statement',
    why: 'the OR is the lighter of two statements (streamed: it is in the tail, whose own sets are costed as sets too)',
    setup: `CREATE TABLE {s}.orders (id int PRIMARY KEY, customer_id int NOT NULL, total int);
      INSERT INTO {s}.orders SELECT g, (g * 7919) % 5000, g % 300 FROM generate_series(1, 50000) g;
      CREATE TABLE {s}.refunds (id int PRIMARY KEY, order_id int NOT NULL, agent_id int NOT NULL, reason text);
      INSERT INTO {s}.refunds SELECT g, (g * 7919) % 50000, (g * 3581) % 4000, 'r' || g FROM generate_series(1, 40000) g;`,
    workload: [
      w('SELECT id, total FROM {s}.orders WHERE customer_id = $1', 800, 5, 10),
      w('SELECT id, reason FROM {s}.refunds WHERE order_id = $1 OR agent_id = $2', 300, 5, 10),
    ],
    expect: [
      { table: 'orders', keys: ['customer_id'], usedBy: [0] },
      { table: 'refunds', keys: ['agent_id'], usedBy: [1], columnNotes: ['serves a BitmapOr with the proposed index'] },
      { table: 'refunds', keys: ['order_id'], usedBy: [1], columnNotes: ['serves a BitmapOr with the proposed index'] },
    ],
  },
  {
    name: 'or_displaces_weaker',
    why: 'with room for two indexes, the OR set (two indexes, one heavy statement) displaces the weaker index the greedy choice had taken',
    setup: `CREATE TABLE {s}.calls (id int PRIMARY KEY, caller_id int NOT NULL, callee_id int NOT NULL, secs int);
      INSERT INTO {s}.calls SELECT g, (g * 7919) % 5000, (g * 3581) % 5000, g % 600 FROM generate_series(1, 50000) g;
      CREATE TABLE {s}.notes (id int PRIMARY KEY, call_id int NOT NULL, body text);
      INSERT INTO {s}.notes SELECT g, (g * 7919) % 50000, 'n' || g FROM generate_series(1, 30000) g;`,
    workload: [
      w('SELECT id, secs FROM {s}.calls WHERE caller_id = $1 OR callee_id = $2', 2000, 5, 20),
      w('SELECT id, body FROM {s}.notes WHERE call_id = $1', 100, 3, 1),
    ],
    options: { maxNewIndexes: 2 },
    expect: [
      { table: 'calls', keys: ['callee_id'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
      { table: 'calls', keys: ['caller_id'], usedBy: [0], columnNotes: ['serves a BitmapOr with the proposed index'] },
    ],
  },
  {
    name: 'or_unselective_side',
    why: 'no index: one branch tests a two-valued column, so the OR matches half the table whatever the indexes',
    setup: `CREATE TABLE {s}.accounts (id int PRIMARY KEY, owner_id int NOT NULL, active boolean NOT NULL, label text);
      INSERT INTO {s}.accounts SELECT g, (g * 7919) % 5000, g % 2 = 0, 'l' || g FROM generate_series(1, 50000) g;`,
    workload: [w('SELECT id, label FROM {s}.accounts WHERE owner_id = $1 OR active = $2', 300, 10, 25000)],
    expect: [],
  },
  {
    name: 'or_tiny_table',
    why: 'no index: an OR over two columns of a 300-row table',
    setup: `CREATE TABLE {s}.flags (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL, v text);
      INSERT INTO {s}.flags SELECT g, g, 300 - g, 'v' FROM generate_series(1, 300) g;`,
    workload: [w('SELECT v FROM {s}.flags WHERE a = $1 OR b = $2', 5000, 0.1, 2)],
    expect: [],
  },
  {
    name: 'or_both_indexed',
    why: 'no index: both branches of the OR already have an index (the plan is a BitmapOr already)',
    setup: `CREATE TABLE {s}.links (id int PRIMARY KEY, src int NOT NULL, dst int NOT NULL, w int);
      INSERT INTO {s}.links SELECT g, (g * 7919) % 5000, (g * 3581) % 5000, g % 10 FROM generate_series(1, 50000) g;
      CREATE INDEX links_src_idx ON {s}.links (src); CREATE INDEX links_dst_idx ON {s}.links (dst);`,
    workload: [w('SELECT id, w FROM {s}.links WHERE src = $1 OR dst = $2', 500, 1, 20)],
    expect: [],
  },
];
