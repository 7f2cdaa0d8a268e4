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

const MEMORY_UNITS: [string, number][] = [
  ['TB', 1024 ** 4],
  ['GB', 1024 ** 3],
  ['MB', 1024 ** 2],
  ['kB', 1024],
  ['B', 1],
];

/**
 * A setting with its unit, as SHOW prints it (and ALTER SYSTEM takes it): a size in the largest unit
 * it is a whole number of (16384 x 8kB -> 128MB), a time with its unit (30000 ms -> 30000ms).
 */
export function settingWithUnit(setting: string, unit: string | null): string {
  if (!unit) return setting;
  const m = /^(\d*)\s*(B|kB|MB|GB|TB)$/.exec(unit);
  if (m && /^\d+$/.test(setting)) {
    const bytes = Number(setting) * Number(m[1] || 1) * MEMORY_UNITS.find(([u]) => u === m[2])![1];
    if (bytes === 0) return `0${m[2]}`;
    const [name, size] = MEMORY_UNITS.find(([, size]) => bytes % size === 0)!;
    return `${bytes / size}${name}`;
  }
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
