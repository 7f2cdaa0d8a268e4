// Health checks (PgHero's list and more) as plan findings: one finding per kind of problem, with the
// affected objects listed in its evidence, exact SQL steps, and how to undo them. None of them is
// applied by the tool (action `manual`), except the approvable drop of an unused or duplicate index;
// their latency gain is not estimated (0).
import type { Finding } from '../../../../common/types';
import { healthOptionsFrom, type HealthOptions } from './options';
import type { HealthSnapshot } from './snapshot';
import type { HealthWindow } from './window';
import { duplicateIndexes, duplicatePairs, invalidIndexes } from './checks/indexes';
import { unusedIndexes } from './checks/unused-indexes';
import { cacheHitRatio, partitioning, seqScans } from './checks/scans';
import { blocked, connections, idleInTransaction, longRunning } from './checks/sessions';
import { bloat, sequences, staleStatistics, wraparound } from './checks/maintenance';

/** Every health check; each yields at most one finding, but unused and duplicate indexes one per index. */
export function healthFindings(
  s: HealthSnapshot,
  w: HealthWindow | null,
  indexFindings: Finding[],
  options: Partial<HealthOptions> = {},
): Finding[] {
  const o = healthOptionsFrom(options);
  return [
    invalidIndexes(s, o),
    ...duplicateIndexes(s, o),
    // A duplicate is reported once, as a duplicate.
    ...unusedIndexes(s, o, new Set(duplicatePairs(s).map((p) => p.dup))),
    cacheHitRatio(s, w, o),
    bloat(s, o),
    connections(s, w, o),
    idleInTransaction(s, w, o),
    longRunning(s, w, o),
    blocked(s, w, o),
    sequences(s, o),
    staleStatistics(s, o),
    wraparound(s, o),
    seqScans(s, w, o, indexFindings),
    partitioning(s, w, o),
  ].filter((f): f is Finding => f !== null);
}
