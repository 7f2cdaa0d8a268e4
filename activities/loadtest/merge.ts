// Merging the shards of one distributed load test: counts add up, histograms merge exactly, and the
// per-second series add up second by second (percentiles there take the worst shard's).
import type { LatencySummary } from '../../common/types';
import { mergeHistograms, encodeHistogram, summarize } from './histogram';
import type { LoadResult } from './load';
import type { LoadProgress } from './engine';
import { round } from '../../common/round';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function addCounts(maps: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function mergeProgress(series: LoadProgress[][]): LoadProgress[] {
  const length = Math.max(...series.map((s) => s.length));
  return Array.from({ length }, (_, i) => {
    const at = series.map((s) => s[i]).filter((p): p is LoadProgress => p !== undefined);
    const max = (f: (p: LoadProgress) => number) => Math.max(...at.map(f));
    const total = (f: (p: LoadProgress) => number) => sum(at.map(f));
    return {
      elapsedSeconds: max((p) => p.elapsedSeconds),
      totalSeconds: max((p) => p.totalSeconds),
      requests: total((p) => p.requests),
      errors: total((p) => p.errors),
      currentRps: round(
        total((p) => p.currentRps),
        2,
      ),
      p95Ms: max((p) => p.p95Ms),
      warmup: at.some((p) => p.warmup),
      p50Ms: max((p) => p.p50Ms),
      p90Ms: max((p) => p.p90Ms),
      p99Ms: max((p) => p.p99Ms),
      maxMs: max((p) => p.maxMs),
      intervalRequests: total((p) => p.intervalRequests),
      intervalErrors: total((p) => p.intervalErrors),
      dropped: total((p) => p.dropped),
      intervalDropped: total((p) => p.intervalDropped),
      offeredRps: round(
        total((p) => p.offeredRps),
        2,
      ),
      bytesIn: total((p) => p.bytesIn),
      bytesOut: total((p) => p.bytesOut),
      connections: total((p) => p.connections),
    };
  });
}

function mergeSendLag(parts: LoadResult[]): LatencySummary | null {
  const lags = parts.map((p) => p.sendLagMs).filter((l): l is LatencySummary => l !== null);
  if (lags.length === 0) return null;
  const worst = (f: (l: LatencySummary) => number) => Math.max(...lags.map(f));
  return {
    p50: worst((l) => l.p50),
    p90: worst((l) => l.p90),
    p95: worst((l) => l.p95),
    p99: worst((l) => l.p99),
    max: worst((l) => l.max),
    mean: worst((l) => l.mean),
  };
}

export function mergeLoadResults(parts: LoadResult[]): LoadResult {
  if (parts.length === 0) throw new Error('no shard results to merge');
  if (parts.length === 1) return parts[0];
  const overall = mergeHistograms(parts.map((p) => p.histograms.overall));
  const names = [...new Set(parts.flatMap((p) => Object.keys(p.histograms.endpoints)))];
  const endpointHistograms = Object.fromEntries(
    names.map((n) => [n, mergeHistograms(parts.map((p) => p.histograms.endpoints[n]).filter((h): h is string => h !== undefined))]),
  );
  const requests = sum(parts.map((p) => p.requests));
  const errors = sum(parts.map((p) => p.errors));
  const errorKindsByEndpoint = Object.fromEntries(names.map((n) => [n, addCounts(parts.map((p) => p.errorKindsByEndpoint[n] ?? {}))]));
  const endpointNames = [...new Set(parts.flatMap((p) => p.endpoints.map((e) => e.name)))];
  return {
    ...parts[0],
    requests,
    errors,
    errorRatePct: requests > 0 ? round((errors / requests) * 100, 3) : 0,
    // Shards may start a moment apart: their own rates add up, not one shared window.
    throughputRps: round(sum(parts.map((p) => p.throughputRps)), 2),
    latencyMs: summarize(overall),
    endpoints: endpointNames.map((name) => {
      const own = parts.map((p) => p.endpoints.find((e) => e.name === name)).filter((e) => e !== undefined);
      const h = endpointHistograms[name];
      return {
        name,
        requests: sum(own.map((e) => e.requests)),
        errors: sum(own.map((e) => e.errors)),
        latencyMs: h ? summarize(h) : own[0].latencyMs,
      };
    }),
    errorKinds: addCounts(parts.map((p) => p.errorKinds)),
    errorKindsByEndpoint,
    histograms: {
      overall: encodeHistogram(overall),
      endpoints: Object.fromEntries(Object.entries(endpointHistograms).map(([n, h]) => [n, encodeHistogram(h)])),
    },
    progress: mergeProgress(parts.map((p) => p.progress)),
    warmupRequests: sum(parts.map((p) => p.warmupRequests)),
    measuredSeconds: Math.max(...parts.map((p) => p.measuredSeconds)),
    ...mergeWarmup(parts),
    aborted: parts.some((p) => p.aborted),
    capped: parts.some((p) => p.capped),
    dropped: sum(parts.map((p) => p.dropped)),
    offeredRps: round(sum(parts.map((p) => p.offeredRps)), 2),
    unfinished: sum(parts.map((p) => p.unfinished)),
    bytesIn: sum(parts.map((p) => p.bytesIn)),
    bytesOut: sum(parts.map((p) => p.bytesOut)),
    peakConnections: sum(parts.map((p) => p.peakConnections)),
    sendLagMs: mergeSendLag(parts),
    cpuMs: sum(parts.map((p) => p.cpuMs)),
    startedAt: parts.map((p) => p.startedAt).sort()[0],
    finishedAt: parts
      .map((p) => p.finishedAt)
      .sort()
      .at(-1)!,
    startEpochMs: Math.min(...parts.map((p) => p.startEpochMs)),
    concurrency: sum(parts.map((p) => p.concurrency)),
    rateRps: parts[0].rateRps === null ? null : sum(parts.map((p) => p.rateRps ?? 0)),
    rampFromRps: parts[0].rampFromRps === null ? null : sum(parts.map((p) => p.rampFromRps ?? 0)),
    maxConnections: parts[0].maxConnections === null ? null : sum(parts.map((p) => p.maxConnections ?? 0)),
  };
}

/** Each shard ends its own steady warm-up: the longest one, steady only if all were. */
function mergeWarmup(parts: LoadResult[]): Pick<LoadResult, 'warmup'> {
  const ws = parts.map((p) => p.warmup).filter((w) => w !== undefined);
  if (ws.length === 0) return {};
  return { warmup: { seconds: Math.max(...ws.map((w) => w.seconds)), steady: ws.every((w) => w.steady) } };
}
