// What the contract says of the monitoring the run left: monitoring_configured (true only when the
// alert rules it installed are loaded, healthy and proven by promtool on its measured behaviour), the
// rows of monitoring_recommendations they cover, and the extension monitoring_rules. Pure.
import type { RunRecord } from './contract-record';
import type { OutputContract } from './output-contract';

type Row = OutputContract['monitoring_recommendations'][number];

/** Loaded, healthy, every promtool case passed, and at least one of them asserted the alerts (not all too close to call). */
export function monitoringConfigured(r: RunRecord): boolean {
  const m = r.monitoring;
  return Boolean(m?.healthy && m.testsOk && m.cases.some((c) => c.firing !== null));
}

const ROW_SLO: Record<string, string> = {
  'http p95 latency': 'latency-p95',
  'http p99 latency': 'latency-p99',
  'http error rate': 'errors',
};

/** The recommended rows an installed, proven SLO covers become configured, with the file that does it. */
export function withConfigured(r: RunRecord, rows: Row[]): Row[] {
  const m = r.monitoring;
  if (!m || !monitoringConfigured(r)) return rows;
  return rows.map((row) =>
    ROW_SLO[row.metric] && m.slos.includes(ROW_SLO[row.metric])
      ? {
          ...row,
          threshold: `SLO ${ROW_SLO[row.metric]}: burn rate of its 30-day budget, 14.4x (1h/5m) or 6x (6h/30m) pages, 3x (1d/2h) or 1x (3d/6h) a ticket`,
          source: `Prometheus rules ${m.file}`,
          status: 'configured',
        }
      : row,
  );
}

export function monitoringRules(
  r: RunRecord,
): { monitoring_rules: NonNullable<OutputContract['monitoring_rules']> } | Record<string, never> {
  const m = r.monitoring;
  if (!m) return {};
  return {
    monitoring_rules: {
      file: m.file,
      slos: m.slos,
      healthy: m.healthy,
      health_note: m.healthNote,
      tests_ok: m.testsOk,
      cases: m.cases.map((c) => ({ name: c.name, ok: c.ok, firing: c.firing })),
    },
  };
}

/** The next step about monitoring: what is in place and proven, or why monitoring_configured is false. */
export function monitoringStep(r: RunRecord, notConfigured: string): string {
  const m = r.monitoring;
  const failed = r.optimization?.monitoringFailed;
  if (!m && failed) return `monitoring not configured: the alert rules (${failed.itemId}) were not installed: ${failed.error}`;
  if (!m) return notConfigured;
  const fired = (f: string[] | null): string => (f === null ? 'too close to call' : f.length ? `${f.length} alert(s) fire` : 'silent');
  const cases = m.cases.map((c) => `${c.name}: ${fired(c.firing)}${c.ok ? '' : ' (promtool test FAILED)'}`).join('; ');
  if (monitoringConfigured(r))
    return `monitoring configured: ${m.file} (SLOs ${m.slos.join(', ')}) is loaded and healthy; promtool, on the measured behaviour: ${cases}`;
  const why = m.healthy ? 'its promtool tests failed' : `not healthy (${m.healthNote})`;
  return `monitoring not configured: ${m.file} is installed but ${why}; ${cases}; undo it with perf-orch rollback`;
}
