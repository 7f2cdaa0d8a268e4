// The server settings the checks read, and the block size the page estimates need.
import type { Pool } from 'pg';

const SETTINGS = [
  'max_connections',
  'superuser_reserved_connections',
  'shared_buffers',
  'autovacuum',
  'autovacuum_freeze_max_age',
  'autovacuum_multixact_freeze_max_age',
  'autovacuum_analyze_threshold',
  'autovacuum_analyze_scale_factor',
  'autovacuum_vacuum_threshold',
  'autovacuum_vacuum_scale_factor',
  'idle_in_transaction_session_timeout',
  'statement_timeout',
  'track_counts',
  'shared_preload_libraries',
  'server_version_num',
  'block_size',
  'effective_cache_size',
];

/** Each setting with its unit when the unit is a name (kB, ms), not when it is a block count (8kB). */
export async function readSettings(pool: Pool): Promise<{ settings: Record<string, string>; blockSize: number }> {
  const result = await pool.query(`SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])`, [SETTINGS]);
  const settings: Record<string, string> = {};
  for (const r of result.rows) settings[String(r.name)] = `${r.setting}${r.unit && !/^\d/.test(String(r.unit)) ? String(r.unit) : ''}`;
  const rawBlock = result.rows.find((r) => r.name === 'block_size');
  const blockSize = rawBlock ? Number(rawBlock.setting) : 8192;
  return { settings, blockSize };
}
