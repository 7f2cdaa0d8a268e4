// How the checks write figures and the statistics' time span in their evidence.
import { round } from '../../../../../common/round';
import type { HealthSnapshot } from '../snapshot';

export function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${round(n / 1024 ** 3, 2)} GB`;
  if (n >= 1024 ** 2) return `${round(n / 1024 ** 2, 1)} MB`;
  if (n >= 1024) return `${round(n / 1024, 0)} kB`;
  return `${n} B`;
}

export function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The span of the cumulative statistics, e.g. "since the statistics reset at ...". */
export function since(s: HealthSnapshot): string {
  return s.statsReset
    ? `since the statistics reset at ${s.statsReset}`
    : s.serverStart
      ? `since the server started at ${s.serverStart}`
      : 'since the statistics were last reset';
}
