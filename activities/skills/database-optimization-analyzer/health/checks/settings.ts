import type { HealthSnapshot } from '../snapshot';

/** A numeric server setting of the snapshot, or the fallback (PostgreSQL's default) when it is missing or not a number. */
export function settingNumber(s: HealthSnapshot, name: string, fallback: number): number {
  const v = Number.parseFloat(s.settings[name] ?? '');
  return Number.isFinite(v) ? v : fallback;
}
