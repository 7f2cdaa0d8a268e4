// The documents the decision rules and actions rely on, with the date each was last checked to exist.
// The report's sources_consulted prints "URL (accessed <checked>)" for those a run relied on
// (common/contract-sources.ts). Check them again when they change (the search tool's docs corpus, or a
// browser) and move `checked` to that day; `seen` says where the check found the page.
export interface Reference {
  id: ReferenceId;
  title: string;
  url: string;
  checked: string; // YYYY-MM-DD
  seen: string; // what the check found: the page itself, or the same page of another version
}

export type ReferenceId =
  | 'pg-create-index'
  | 'pg-drop-index'
  | 'pg-stat-statements'
  | 'pg-explain'
  | 'pg-auto-explain'
  | 'hypopg'
  | 'temporal-message-passing'
  | 'temporal-versioning'
  | 'py-spy'
  | 'node-inspector'
  | 'node-perf-hooks'
  | 'redis-info';

export const REFERENCES: Record<ReferenceId, Reference> = {
  'pg-create-index': {
    id: 'pg-create-index',
    title: 'PostgreSQL: CREATE INDEX (building indexes concurrently)',
    url: 'https://www.postgresql.org/docs/current/sql-createindex.html',
    checked: '2026-11-30',
    seen: 'the URL, cited by other docs; the same page for PostgreSQL 8.2',
  },
  'pg-drop-index': {
    id: 'pg-drop-index',
    title: 'PostgreSQL: DROP INDEX (CONCURRENTLY)',
    url: 'https://www.postgresql.org/docs/current/sql-dropindex.html',
    checked: '2026-11-30',
    seen: 'the same page for PostgreSQL 10 and 12',
  },
  'pg-stat-statements': {
    id: 'pg-stat-statements',
    title: 'PostgreSQL: pg_stat_statements',
    url: 'https://www.postgresql.org/docs/current/pgstatstatements.html',
    checked: '2026-11-30',
    seen: 'the page',
  },
  'pg-explain': {
    id: 'pg-explain',
    title: 'PostgreSQL: EXPLAIN (GENERIC_PLAN)',
    url: 'https://www.postgresql.org/docs/current/sql-explain.html',
    checked: '2026-11-30',
    seen: 'the same page for older versions (8.1, 7.3); GENERIC_PLAN in the PostgreSQL 16 manual',
  },
  'pg-auto-explain': {
    id: 'pg-auto-explain',
    title: 'PostgreSQL: auto_explain',
    url: 'https://www.postgresql.org/docs/current/auto-explain.html',
    checked: '2026-11-30',
    seen: 'the same page for PostgreSQL 14 and 15',
  },
  hypopg: {
    id: 'hypopg',
    title: 'HypoPG: hypothetical indexes for PostgreSQL',
    url: 'https://github.com/HypoPG/hypopg',
    checked: '2026-11-30',
    seen: 'the page (its README links the full documentation, hypopg.readthedocs.io)',
  },
  'temporal-message-passing': {
    id: 'temporal-message-passing',
    title: 'Temporal TypeScript SDK: workflow message passing (signals, queries, updates)',
    url: 'https://docs.temporal.io/develop/typescript/message-passing',
    checked: '2026-11-30',
    seen: 'the page',
  },
  'temporal-versioning': {
    id: 'temporal-versioning',
    title: 'Temporal TypeScript SDK: versioning (patching, deterministic workflows)',
    url: 'https://docs.temporal.io/develop/typescript/workflows/versioning',
    checked: '2026-11-30',
    seen: 'the page (its .md form)',
  },
  'py-spy': {
    id: 'py-spy',
    title: 'py-spy: sampling profiler for Python programs',
    url: 'https://github.com/benfred/py-spy',
    checked: '2026-11-30',
    seen: 'the URL, as the project homepage in package indexes',
  },
  'node-inspector': {
    id: 'node-inspector',
    title: 'Node.js: inspector (CPU profiler)',
    url: 'https://nodejs.org/api/inspector.html',
    checked: '2026-11-30',
    seen: 'the same page for Node.js 11, 14 and nightly',
  },
  'node-perf-hooks': {
    id: 'node-perf-hooks',
    title: 'Node.js: perf_hooks.monitorEventLoopDelay',
    url: 'https://nodejs.org/api/perf_hooks.html',
    checked: '2026-11-30',
    seen: 'the same API page for a nightly build',
  },
  'redis-info': {
    id: 'redis-info',
    title: 'Redis: INFO',
    url: 'https://redis.io/docs/latest/commands/info/',
    checked: '2026-11-30',
    seen: 'the page',
  },
};

/** "URL (accessed YYYY-MM-DD)": the contract's sources_consulted form. */
export function consulted(id: ReferenceId): string {
  const r = REFERENCES[id];
  return `${r.url} (accessed ${r.checked})`;
}
