import { UsageError } from './errors';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90s", "30m", "24h", "2d", "1w" or plain milliseconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${option}: "${text}" is not a duration; use e.g. 90s, 30m, 24h, 2d or 1w`);
  const ms = Number(m[1]) * UNITS[m[2] ?? 'ms'];
  if (ms < 1000) throw new UsageError(`${option}: must be at least 1s`);
  return ms;
}
