// Parsing of Redis `INFO` replies. Pure: no I/O, unit-tested in test/unit/cache-redis-info.test.ts.
// (A toolkit: the cache profiler and the cache analyzer both read INFO.)

/** Flat map of `INFO` fields: `keyspace_hits` -> "12". Section headers and blank lines are skipped. */
export type RedisInfo = Record<string, string>;

/**
 * Parses the text of `INFO [section]`: lines `key:value`, `# Section` headers, CRLF or LF endings.
 * The value is everything after the FIRST colon (values such as `executable:/usr/bin/redis-server`
 * or `db0:keys=1,expires=0` keep their own colons / commas). Later duplicates win.
 */
export function parseRedisInfo(text: string): RedisInfo {
  const info: RedisInfo = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    info[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return info;
}

/** A numeric field, or `fallback` when it is absent or not a number. */
export function infoNumber(info: RedisInfo, key: string, fallback = 0): number {
  const v = info[key];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

/** Splits a composite value such as `keys=10,expires=2,avg_ttl=0` into its fields. */
export function parseInfoFields(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
