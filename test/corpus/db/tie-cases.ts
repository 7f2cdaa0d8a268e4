// Corpus cases for near ties (advisor/tie-break.ts): a few rows per equality value, so an index
// with one more key column saves almost the same window time as the one without it. The longer
// index must win when its plan stops at the statement's real LIMIT without a sort or reads only the
// index; the smaller one when it removes nothing (no LIMIT, a LIMIT above the rows a call returns,
// no ORDER BY) or when the extra column costs more to maintain than the tie margin.
import type { CorpusCase } from './cases';

const w = (query: string, calls: number, meanMs: number, rowsPerCall = 1) => ({ query, calls, meanMs, rowsPerCall });

// ~4 tickets per (tenant_id, status): sorting a tenant's tickets of one status is cheap in cost terms.
const tickets = (sortColumn: string) => `CREATE TABLE {s}.tickets (id int PRIMARY KEY, tenant_id int NOT NULL, status int NOT NULL,
        ${sortColumn} timestamptz NOT NULL, title text);
      INSERT INTO {s}.tickets SELECT g, (g * 7919) % 3000, g % 5, timestamptz '2024-01-01' + ((g * 7877) % 60000) * interval '1 minute', 't' || g
        FROM generate_series(1, 60000) g;`;

// ~7 events per account; wide rows, so a scan of the table costs far more than the few rows an index reaches.
const EVENTS_SETUP = `CREATE TABLE {s}.events (id int PRIMARY KEY, account_id int NOT NULL, kind int NOT NULL, created_at timestamptz NOT NULL, payload text);
      INSERT INTO {s}.events SELECT g, (g * 7919) % 8000, g % 7, timestamptz '2024-01-01' + ((g * 7877) % 60000) * interval '1 minute', repeat('p', 120) || g
        FROM generate_series(1, 60000) g;`;

const PAGE = 'SELECT id, title, created_at FROM {s}.tickets WHERE tenant_id = $1 AND status = $2 ORDER BY created_at DESC';

export const TIE_CASES: CorpusCase[] = [
  {
    name: 'tie_sort_at_limit',
    why: 'near tie (issue 13): (tenant_id, status, created_at DESC) saves within 2% of (tenant_id, status) but removes the sort at LIMIT 3',
    setup: tickets('created_at'),
    workload: [w(`${PAGE} LIMIT $3`, 800, 4, 3)],
    expect: [
      {
        table: 'tickets',
        keys: ['tenant_id', 'status', 'created_at DESC'],
        usedBy: [0],
        columnNotes: [
          /^created_at DESC in the key: removes the sort at LIMIT 3$/,
          /^preferred to \S+\(tenant_id,status\), .*within 2%: it removes the sort at LIMIT 3/,
        ],
      },
    ],
  },
  {
    name: 'tie_sort_at_limit_one_key',
    why: 'near tie: (account_id, created_at DESC) over (account_id) for the latest 3 of ~7 events per account',
    setup: EVENTS_SETUP,
    workload: [w('SELECT id, kind, payload FROM {s}.events WHERE account_id = $1 ORDER BY created_at DESC LIMIT $2', 900, 4, 3)],
    expect: [
      {
        table: 'events',
        keys: ['account_id', 'created_at DESC'],
        usedBy: [0],
        columnNotes: [/^created_at DESC in the key: removes the sort at LIMIT 3$/, /^preferred to \S+\(account_id\)/],
      },
    ],
  },
  {
    name: 'tie_index_only_at_limit',
    why: 'near tie: the longer key removes the sort at LIMIT 3 and the heap fetch (the statement reads only created_at)',
    setup: tickets('created_at'),
    workload: [w('SELECT created_at FROM {s}.tickets WHERE tenant_id = $1 AND status = $2 ORDER BY created_at DESC LIMIT $3', 800, 4, 3)],
    expect: [
      {
        table: 'tickets',
        keys: ['tenant_id', 'status', 'created_at DESC'],
        usedBy: [0],
        columnNotes: [/it removes the sort at LIMIT 3 \(1 statement\) and the heap fetch: index-only scan/],
      },
    ],
  },
  {
    name: 'tie_index_only_range',
    why: 'near tie without a sort: (account_id, created_at) reads only the index for the range, (account_id) fetches every event from the heap',
    setup: EVENTS_SETUP,
    workload: [w('SELECT created_at FROM {s}.events WHERE account_id = $1 AND created_at >= $2', 900, 4, 3)],
    expect: [
      { table: 'events', keys: ['account_id', 'created_at'], usedBy: [0], columnNotes: [/it removes the heap fetch: index-only scan/] },
    ],
  },
  {
    name: 'tie_no_limit',
    why: 'near tie, smaller wins: ORDER BY without LIMIT reads every matching row either way (the planner keeps the sort of 4 rows)',
    setup: tickets('created_at'),
    workload: [w(PAGE, 800, 4, 4)],
    expect: [{ table: 'tickets', keys: ['tenant_id', 'status'], usedBy: [0] }],
  },
  {
    name: 'tie_limit_above_rows',
    why: 'near tie, smaller wins: LIMIT $3 but each call returns all ~4 matching rows, so the ordered scan does not stop early',
    setup: tickets('created_at'),
    workload: [w(`${PAGE} LIMIT $3`, 800, 4, 4)],
    expect: [{ table: 'tickets', keys: ['tenant_id', 'status'], usedBy: [0] }],
  },
  {
    name: 'tie_no_order_by',
    why: 'near tie, smaller wins: a range on created_at without ORDER BY or an index-only read: the extra key removes no sort and no heap fetch',
    setup: tickets('created_at'),
    workload: [w('SELECT id, title, created_at FROM {s}.tickets WHERE tenant_id = $1 AND status = $2 AND created_at >= $3', 800, 4, 2)],
    expect: [{ table: 'tickets', keys: ['tenant_id', 'status'], usedBy: [0] }],
  },
  {
    name: 'tie_sort_column_updated',
    why:
      'no tie, smaller wins: updated_at is set by every touch (HOT updates); in the key it breaks them, and that write cost ' +
      'puts the longer index beyond the tie margin although it removes the sort at LIMIT 3',
    setup: tickets('updated_at'),
    workload: [
      w('SELECT id, title, updated_at FROM {s}.tickets WHERE tenant_id = $1 AND status = $2 ORDER BY updated_at DESC LIMIT $3', 800, 4, 3),
      w('UPDATE {s}.tickets SET updated_at = $1 WHERE id = $2', 20000, 0.05, 1),
    ],
    writes: [{ table: 'tickets', inserted: 0, updated: 20000, hotUpdated: 20000, deleted: 0 }],
    expect: [{ table: 'tickets', keys: ['tenant_id', 'status'], usedBy: [0] }],
  },
];
