// The server settings the checks read, and the block size the page estimates need.
import type { PoolClient } from 'pg';

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

/** A setting with its unit; a count of blocks (unit `8kB`) becomes the size it stands for (16384 x 8kB -> 131072kB). */
export function settingWithUnit(setting: string, unit: string | null): string {
  if (!unit) return setting;
  const blocks = /^(\d+)(\D+)$/.exec(unit);
  if (blocks && /^\d+$/.test(setting)) return `${Number(setting) * Number(blocks[1])}${blocks[2]}`;
  return /^\d/.test(unit) ? setting : `${setting}${unit}`;
}

export async function readSettings(pool: PoolClient): Promise<{ settings: Record<string, string>; blockSize: number }> {
  const result = await pool.query(`SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])`, [SETTINGS]);
  const settings: Record<string, string> = {};
  for (const r of result.rows) settings[String(r.name)] = settingWithUnit(String(r.setting), r.unit ? String(r.unit) : null);
  const rawBlock = result.rows.find((r) => r.name === 'block_size');
  const blockSize = rawBlock ? Number(rawBlock.setting) : 8192;
  return { settings, blockSize };
}
