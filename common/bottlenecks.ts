// The bottleneck inventory of a profiling run: where request time goes, scored by impact.
import type { SloTargets } from './profile';
import type {
  Bottleneck,
  CacheProfile,
  CpuProfileSummary,
  DatabaseProfile,
  HotFunction,
  LoadTestSummary,
  NetworkProfile,
  ProcessProfile,
} from './types';
import { RULES, impactScore } from './decisions';
import { round } from './round';

export interface ProfilingFigures {
  baseline: LoadTestSummary;
  database: DatabaseProfile | null;
  cache: CacheProfile | null;
  process: ProcessProfile | null;
  network: NetworkProfile | null;
  cpu?: CpuProfileSummary | null;
}

/** Effort is unknown before analysis, so every bottleneck is scored at one day. */
export function inventoryBottlenecks(p: ProfilingFigures, targets: SloTargets): Bottleneck[] {
  const out: Bottleneck[] = [...endpointBottlenecks(p, targets), ...databaseBottlenecks(p)];
  if (p.cache?.available && p.cache.hitRatioPct !== null && p.cache.hitRatioPct < RULES.cacheHitRatioPct) {
    out.push({
      layer: 'caching',
      description: `cache hit ratio ${p.cache.hitRatioPct}% (rule: < ${RULES.cacheHitRatioPct}%)`,
      impactScore: 0,
      evidence: [`${p.cache.hits} hits, ${p.cache.misses} misses, ${p.cache.evictions} evictions`],
      component: 'redis cache',
      metric: 'hit_ratio',
      currentValue: `${p.cache.hitRatioPct}%`,
      targetValue: `>= ${RULES.cacheHitRatioPct}%`,
    });
  }
  if (p.process?.cpuPctAvg != null && p.process.cpuPctAvg > RULES.appCpuPct) {
    out.push({
      layer: 'application',
      description: `target process CPU ${p.process.cpuPctAvg}% of a core (rule: > ${RULES.appCpuPct}%)`,
      impactScore: 0,
      evidence: [`pid ${p.process.pid}, max ${p.process.cpuPctMax}%`],
      component: `target process (pid ${p.process.pid})`,
      metric: 'cpu',
      currentValue: `${p.process.cpuPctAvg}% of a core`,
      targetValue: `<= ${RULES.appCpuPct}% of a core`,
    });
  }
  if (p.cpu) out.push(...hotFunctionBottlenecks(p.cpu, p.baseline.throughputRps));
  if (p.network && p.network.connectMsAvg > RULES.networkLatencyMs) out.push(networkBottleneck(p.network, p.baseline.throughputRps));
  return out.sort((a, b) => b.impactScore - a.impactScore);
}

function endpointBottlenecks(p: ProfilingFigures, targets: SloTargets): Bottleneck[] {
  const rps = p.baseline.throughputRps;
  return p.baseline.endpoints
    .filter((e) => e.latencyMs.p95 > targets.p95Ms)
    .map((e) => ({
      layer: 'application' as const,
      description: `endpoint ${e.name}: p95 ${e.latencyMs.p95} ms over the ${targets.p95Ms} ms target`,
      impactScore: round(impactScore(e.latencyMs.mean, rps * share(e.requests, p.baseline.requests), 1)),
      evidence: [`${e.requests} requests, mean ${e.latencyMs.mean} ms, p99 ${e.latencyMs.p99} ms, ${e.errors} errors`],
      component: `endpoint ${e.name}`,
      metric: 'latency' as const,
      currentValue: `p95 ${e.latencyMs.p95} ms`,
      targetValue: `p95 <= ${targets.p95Ms} ms`,
    }));
}

function databaseBottlenecks(p: ProfilingFigures): Bottleneck[] {
  if (!p.database?.available) return [];
  const rps = p.baseline.throughputRps;
  const out: Bottleneck[] = [];
  for (const s of p.database.topStatements.slice(0, 5)) {
    const perRequestMs = s.meanMs * s.callsPerRequest;
    if (perRequestMs < 0.05) continue;
    out.push({
      layer: 'database',
      description: `statement ${s.queryid}: ${s.callsPerRequest.toFixed(2)} calls/request x ${s.meanMs.toFixed(2)} ms`,
      impactScore: round(impactScore(perRequestMs, rps, 1)),
      evidence: [abbreviate(s.query), `${s.calls} calls, ${round(s.totalMs)} ms in the window`],
      component: `statement ${s.queryid}: ${abbreviate(s.query, 80)}`,
      metric: 'latency',
      currentValue: `${round(perRequestMs, 2)} ms per request (${s.callsPerRequest.toFixed(2)} calls x ${s.meanMs.toFixed(2)} ms)`,
      targetValue: null,
    });
  }
  if (p.database.dbShareOfLatencyPct > RULES.dbShareOfLatencyPct) {
    out.push({
      layer: 'database',
      description: `database time is ${p.database.dbShareOfLatencyPct}% of request time (rule: > ${RULES.dbShareOfLatencyPct}%)`,
      impactScore: round(impactScore((p.baseline.latencyMs.mean * p.database.dbShareOfLatencyPct) / 100, rps, 1)),
      evidence: [`${round(p.database.dbTimeMs)} ms of statements for ${p.database.windowRequests} requests`],
      component: 'database (all statements)',
      metric: 'latency',
      currentValue: `${p.database.dbShareOfLatencyPct}% of request time`,
      targetValue: `<= ${RULES.dbShareOfLatencyPct}% of request time`,
    });
  }
  return out;
}

function networkBottleneck(n: NetworkProfile, rps: number): Bottleneck {
  return {
    layer: 'network',
    description: `network connect time ${n.connectMsAvg} ms (rule: > ${RULES.networkLatencyMs} ms)`,
    impactScore: round(impactScore(n.connectMsAvg, rps, 1)),
    evidence: [
      `time to first byte ${n.ttfbMsAvg} ms over ${n.samples} samples`,
      ...(n.endpoints ?? [])
        .filter((e) => e.samples > 0)
        .map((e) => `${e.name}: connect ${e.connectMsAvg} ms, TTFB ${e.ttfbMsAvg} ms, transfer ${e.transferMsAvg} ms`),
    ],
    component: 'network path to the target (TCP connect)',
    metric: 'latency',
    currentValue: `connect ${n.connectMsAvg} ms`,
    targetValue: `<= ${RULES.networkLatencyMs} ms`,
  };
}

/** Where a function is: file name (last path segment of its URL) and 1-based line. */
export function functionLocation(f: Pick<HotFunction, 'url' | 'lineNumber'>): string {
  if (!f.url) return '(native)';
  const file =
    f.url
      .replace(/[?#].*$/, '')
      .split('/')
      .filter(Boolean)
      .pop() ?? f.url;
  return `${file}:${f.lineNumber}`;
}

/**
 * Functions whose self time is above the profile's threshold (the seed: > 5% CPU), layer application.
 * Impact: the main-thread milliseconds the function takes per request (selfPct% of each second /
 * requests per second) x requests per second, which is selfPct x 10: the ms per second of traffic.
 */
export function hotFunctionBottlenecks(cpu: CpuProfileSummary, rps: number): Bottleneck[] {
  const of = cpu.profiler === 'py-spy' ? 'a core (py-spy, summed over the processes)' : 'the main thread';
  return cpu.functions
    .filter((f) => f.hot)
    .map((f) => {
      const cpuMsPerRequest = rps > 0 ? ((f.selfPct / 100) * 1000) / rps : 0;
      const what =
        f.functionName === '(garbage collector)'
          ? 'garbage collection'
          : `hot function ${f.functionName} (${f.url ? functionLocation(f) : 'native code'})`;
      return {
        layer: 'application' as const,
        description: `${what}: ${round(f.selfPct)}% of ${of} in itself, ${round(f.totalPct)}% with its callees (rule: > ${cpu.thresholdPct}%)`,
        impactScore: round(impactScore(cpuMsPerRequest, rps, 1)),
        component: f.url ? `${f.functionName} (${functionLocation(f)})` : `${f.functionName} (native code)`,
        metric: 'cpu' as const,
        currentValue: `${round(f.selfPct)}% of ${of} (self)`,
        targetValue: `<= ${cpu.thresholdPct}%`,
        evidence: [
          f.url ? `${f.url}:${f.lineNumber}` : 'native code (a V8 or Node.js built-in): its callers are in the .cpuprofile',
          `${round(cpuMsPerRequest)} ms of main-thread time per request at ${rps} req/s; ` +
            `${cpu.samples} samples over ${round(cpu.durationMs / 1000)} s (thread busy ${round(cpu.busyPct)}%)`,
          `CPU profile: ${cpu.file ?? '(no file)'}${cpu.artifactId ? `, store artifact ${cpu.artifactId}` : ''}`,
        ],
      };
    });
}

function share(part: number, total: number): number {
  return total > 0 ? part / total : 0;
}

export function abbreviate(sql: string, max = 160): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
