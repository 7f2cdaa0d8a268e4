// The observability-stack-configurator skill: reads the monitoring the target already has (its own
// Prometheus, observability.prometheusUrl) beside what the run measured, and finds what it lacks.
import { round } from '../../../common/round';
import type { ExporterReading } from '../../../common/observability/exporters';
import type { Skill } from '../skill';
import { analyzeObservability } from './analyze';
import { collectObservability } from './collect';
import { SOURCE, type ObservabilityEvidence } from './findings';
import { observabilityOptionsFor, type ObservabilityOptions } from './options';

/** The exporters' figures and the profiler's beside them (keys read by common/contract-observability.ts). */
function exporterFigures(x: ExporterReading | undefined): Record<string, number | string | null> {
  if (!x) return {};
  return {
    pgExporter: x.postgres ? `${x.postgres.job} ${x.postgres.instance}` : null,
    redisExporter: x.redis ? `${x.redis.job} ${x.redis.instance}` : null,
    exporterDbTimeMsPerSecond: x.postgres?.dbTimeMsPerSecond ?? null,
    profilerDbTimeMsPerSecond: x.profiler.dbTimeMsPerSecond,
    exporterDbTimeMsPerRequest: x.postgres?.dbTimeMsPerRequest ?? null,
    profilerDbTimeMsPerRequest: x.profiler.dbTimeMsPerRequest,
    exporterStatementsPerSecond: x.postgres?.statementsPerSecond ?? null,
    exporterPgBufferHitPct: x.postgres?.bufferHitRatioPct ?? null,
    exporterPgBackendsMax: x.postgres?.backendsMax ?? null,
    exporterCacheHitPct: x.redis?.hitRatioPct ?? null,
    profilerCacheHitPct: x.profiler.cacheHitRatioPct,
    exporterCacheOpsPerSecond: x.redis?.opsPerSecond ?? null,
    profilerCacheOpsPerSecond: x.profiler.cacheOpsPerSecond,
    exporterRedisClientsMax: x.redis?.clientsMax ?? null,
    exporterRedisMemoryMb: x.redis?.memoryMbMax ?? null,
  };
}

const r2 = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : round(v, 2));

export const observabilityStackConfigurator: Skill<ObservabilityOptions, ObservabilityEvidence> = {
  name: SOURCE,
  skip: ({ target }) => (target.observability ? null : `target ${target.name} names no Prometheus (observability.prometheusUrl)`),
  options: observabilityOptionsFor,
  collect: (deps, req, options) => collectObservability(deps, req, options),
  analyze: (evidence, options, { target }) => analyzeObservability(evidence, options, target),
  figures: ({ prometheusUrl, scraped, metrics, window, traffic, alertRules, dashboard, collectorConfig }) => ({
    prometheusUrl,
    // The files the report writes beside it (client/monitoring-files.ts), by their store artifacts.
    alertRulesArtifactId: alertRules?.artifactId ?? null,
    dashboardArtifactId: dashboard?.artifactId ?? null,
    otelCollectorArtifactId: collectorConfig?.artifactId ?? null,
    job: metrics?.job ?? null,
    scrapedUp: scraped.some((t) => t.health === 'up'),
    histogram: metrics?.histogram?.base ?? null,
    windowSeconds: window?.rangeSeconds ?? null,
    ratesCompared: window?.rateComparable ?? false,
    loadP95Ms: r2(window?.loadTest.p95Ms),
    prometheusP95Ms: r2(window?.prometheus.p95Ms),
    loadP99Ms: r2(window?.loadTest.p99Ms),
    prometheusP99Ms: r2(window?.prometheus.p99Ms),
    loadRps: r2(window?.loadTest.rps),
    prometheusRps: r2(window?.prometheus.rps),
    loadErrorPct: r2(window?.loadTest.errorRatePct),
    prometheusErrorPct: r2(window?.prometheus.errorRatePct),
    profilerCpuPct: r2(window?.profiler.cpuPct),
    prometheusCpuPct: r2(window?.prometheus.cpuPct),
    profilerRssMb: r2(window?.profiler.rssMb),
    prometheusRssMb: r2(window?.prometheus.rssMb),
    productionRps: traffic ? r2(traffic.routes.reduce((s, r) => s + r.rps, 0)) : null,
    ...exporterFigures(window?.exporters),
  }),
};
