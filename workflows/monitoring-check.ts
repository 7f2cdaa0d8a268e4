// The end of a run that installed alert rules (approved, applied, not rolled back): one activity
// checks them healthy in Prometheus and proven by promtool on the run's measured baseline and after.
// Runs recorded before it (no marker) and runs without such a change call nothing here.
import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import { rootCauseMessage } from '../common/failure-cause';
import type { Activities } from '../activities';
import type { TargetProfile } from '../common/profile';
import type { MonitoringCheck, OptimizationResult, ProfilingResult, ValidationResult } from '../common/stages';

export const MONITORING_CHECK_PATCH = 'monitoring-check';

export async function checkInstalledMonitoring(
  target: TargetProfile,
  profiling: ProfilingResult,
  optimization: OptimizationResult | null,
  validation: ValidationResult | null,
  enter: (step: string) => void,
): Promise<MonitoringCheck | null> {
  const undone = new Set((optimization?.rolledBack ?? []).filter((x) => x.ok).map((x) => x.itemId));
  const kept = (optimization?.applied ?? []).find((c) => c.action.type === 'install_alert_rules' && !undone.has(c.itemId));
  if (!kept || kept.action.type !== 'install_alert_rules' || !patched(MONITORING_CHECK_PATCH)) return null;
  enter('checking the installed alert rules: healthy in Prometheus, promtool tests on the measured baseline and after');
  const { checkAlertRules } = proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 3 },
    summary: `check ${kept.action.fileName}: loaded and healthy, alerts as the measured figures say`,
  });
  try {
    return await checkAlertRules({
      target,
      artifactId: kept.action.artifactId,
      baselineId: profiling.baseline.id,
      afterId: validation?.after.id ?? null,
    });
  } catch (err) {
    // The run's changes are applied and validated: a check that cannot run is reported, not a failed run.
    if (isCancellation(err)) throw err;
    const why = `the check could not run: ${rootCauseMessage(err)}`;
    return { file: kept.action.fileName, slos: kept.action.slos, healthy: false, healthNote: why, testsOk: false, cases: [] };
  }
}
