// readPgStatStatements' problem paths, with a scripted stand-in for the pg Pool (no server needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from 'pg';
import { readPgStatStatements } from '../../activities/postgres/stat-views';

type Handler = (text: string) => { rows: Record<string, unknown>[] } | Error;

function fakePool(handler: Handler): Pool & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    async query(text: string) {
      seen.push(text);
      const r = handler(text);
      if (r instanceof Error) throw r;
      return { rows: r.rows, rowCount: r.rows.length };
    },
  } as unknown as Pool & { seen: string[] };
}

const pgError = (message: string, code: string) => Object.assign(new Error(message), { code });

test('not preloaded: CREATE EXTENSION works but reading fails -> the exact fix', async () => {
  let created = false;
  const pool = fakePool((text) => {
    if (text.includes('"public".pg_stat_statements'))
      return pgError('pg_stat_statements must be loaded via shared_preload_libraries', '55000');
    if (text.includes('current_database()')) return { rows: [{ db: 'shop' }] };
    if (text.includes('FROM pg_extension')) return { rows: created ? [{ nspname: 'public' }] : [] };
    if (text.startsWith('CREATE EXTENSION')) {
      created = true;
      return { rows: [] };
    }
    return { rows: [] };
  });
  const r = await readPgStatStatements(pool);
  assert.equal(r.ok, false);
  assert.match(r.problems[0], /shared_preload_libraries = 'pg_stat_statements'/);
  assert.match(r.problems[0], /restart PostgreSQL/);
  assert.match(r.problems[0], /CREATE EXTENSION pg_stat_statements; in database "shop"/);
  assert.ok(pool.seen.some((q) => q === 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'));
});

test('extension cannot be created (no privilege or not installed) -> problem with the fix', async () => {
  const pool = fakePool((text) => {
    if (text.includes('current_database()')) return { rows: [{ db: 'shop' }] };
    if (text.includes('FROM pg_extension')) return { rows: [] };
    if (text.startsWith('CREATE EXTENSION')) return pgError('permission denied to create extension "pg_stat_statements"', '42501');
    return { rows: [] };
  });
  const r = await readPgStatStatements(pool);
  assert.equal(r.ok, false);
  assert.match(r.problems[0], /permission denied/);
  assert.match(r.problems[0], /shared_preload_libraries/);
});

test('rows are summed per queryid by SQL, excluded ones dropped, hidden texts reported', async () => {
  const pool = fakePool((text) => {
    if (text.includes('FROM pg_extension')) return { rows: [{ nspname: 'ext' }] };
    if (text.includes('"ext".pg_stat_statements')) {
      return {
        rows: [
          { queryid: '7', query: 'SELECT * FROM t WHERE id = $1', calls: '12', total_ms: 3.5, rows: '12', blks_hit: '30', blks_read: '1' },
          { queryid: '8', query: 'BEGIN', calls: 5, total_ms: 0.1, rows: 0, blks_hit: 0, blks_read: 0 },
          { queryid: '9', query: '<insufficient privilege>', calls: 5, total_ms: 0.1, rows: 0, blks_hit: 0, blks_read: 0 },
        ],
      };
    }
    return { rows: [] };
  });
  const r = await readPgStatStatements(pool);
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.deepEqual(r.rows, [
    { queryid: '7', query: 'SELECT * FROM t WHERE id = $1', calls: 12, totalMs: 3.5, rows: 12, sharedBlksHit: 30, sharedBlksRead: 1 },
  ]);
  assert.match(r.problems[0], /pg_read_all_stats/);
});
