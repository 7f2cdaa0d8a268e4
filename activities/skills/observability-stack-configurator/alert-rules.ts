// The SLO alert rules of the target, made and proven in the skill's collect step: generated from the
// profile's targets and what its Prometheus exports, checked by `promtool check rules`, tested by
// `promtool test rules` on the baseline's measured behaviour (the burn alerts must do what its raw
// figures say), and stored for the plan item that installs them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ruleTestFile } from '../../../common/observability/rule-tests';
import { slosFor, sloRuleFile, type AlertRulesArtifact, type SloSource } from '../../../common/observability/slo-rules';
import { dashboardFor } from '../../../common/observability/dashboard';
import type { SkillRequest } from '../../../common/stages';
import { rulesDirAllowed } from '../../../common/operator-policy';
import type { ActivityDeps } from '../../deps';
import { checkRules, testRules } from '../../prometheus/promtool';
import { saveArtifact } from '../../store/artifacts';
import { loadEngineResult, measuredBehaviour } from '../../store/measured-behaviour';
import type { AlertRulesEvidence, DashboardEvidence, ObservabilityEvidence } from './findings';
import type { ObservabilityOptions } from './options';

export const ALERT_RULES_KIND = 'alert-rules';

export function sloSourceOf(req: SkillRequest, e: ObservabilityEvidence, o: ObservabilityOptions): SloSource | null {
  const m = e.metrics;
  if (!m?.histogram) return null;
  return {
    service: req.target.name,
    job: m.job,
    histogram: m.histogram,
    statusLabel: m.labels.status,
    statusCounter: m.statusCounter ?? null,
    routeLabel: m.labels.route,
    excludeRoutes: o.excludeRoutes,
    buckets: m.buckets,
    processCpuMetric: m.processCpuMetric,
    nodeExporter: e.exporters.includes('node'),
  };
}

async function baselineResult(deps: ActivityDeps, req: SkillRequest) {
  const id = req.profiling.baseline.id;
  try {
    return (await loadEngineResult(deps.store, id)) ?? `load test ${id} kept no per-second progress or histogram`;
  } catch (err) {
    return `the baseline load test ${id} is not in the store (${(err as Error).message})`;
  }
}

function installRefusal({ target }: SkillRequest, deps: Pick<ActivityDeps, 'policy'>): string | null {
  const dir = target.observability?.rulesDir;
  if (!dir) return 'the profile names no observability.rulesDir';
  if (!rulesDirAllowed(deps.policy, dir))
    return `${dir} is not in this worker's PERF_PROMETHEUS_RULES_DIRS (the worker's operator adds Prometheus's rule directory to it)`;
  return null;
}

export const DASHBOARD_KIND = 'grafana-dashboard';

/** The target's Grafana dashboard, stored for the report to write beside it. */
export async function makeDashboard(
  deps: ActivityDeps,
  req: SkillRequest,
  source: SloSource,
  exporters: readonly string[],
  database: string | null,
): Promise<DashboardEvidence> {
  const { slos } = slosFor(source, req.target.targets);
  const model = dashboardFor(source, slos, { p95TargetMs: req.target.targets.p95Ms, redisExporter: exporters.includes('redis'), database });
  const fileName = `grafana-dashboard-${req.target.name}.json`;
  const artifactId = await saveArtifact(deps.store, req.runId, DASHBOARD_KIND, { fileName, json: model });
  // The panels' titles from the model itself (its first panel is the row).
  const panels = (model as { panels: { type: string; title: string }[] }).panels.filter((p) => p.type !== 'row').map((p) => p.title);
  return { fileName, artifactId, panels };
}

export async function makeAlertRules(deps: ActivityDeps, req: SkillRequest, source: SloSource): Promise<AlertRulesEvidence | null> {
  const { slos, notes } = slosFor(source, req.target.targets);
  const notInstallable = installRefusal(req, deps);
  if (slos.length === 0)
    return { fileName: '', artifactId: null, slos: [], rules: 0, groups: [], notes, check: null, baselineTest: null, notInstallable };
  const file = sloRuleFile(source, slos);
  const yaml = YAML.stringify(file, { lineWidth: 0 });
  const fileName = `perf-orchestrator-${req.target.name}.yml`;
  const dir = mkdtempSync(join(tmpdir(), 'perf-alert-rules-'));
  try {
    const path = join(dir, fileName);
    writeFileSync(path, yaml);
    const check = await checkRules(path);
    const base = await baselineResult(deps, req);
    let baselineTest: AlertRulesEvidence['baselineTest'] = null;
    if (typeof base === 'string') notes.push(`the rules were not tested on measured behaviour: ${base}`);
    else {
      const name = `baseline (load test ${req.profiling.baseline.id})`;
      const tests = ruleTestFile(path, source, slos, [{ name, behaviour: measuredBehaviour(name, base, source, slos) }]);
      const alerts = tests.expectations[0].alerts;
      if (alerts === null) notes.push('the baseline sits on an alert threshold: too close to call, no alert test on it');
      const testPath = join(dir, 'baseline.test.yml');
      writeFileSync(testPath, YAML.stringify(tests.file, { lineWidth: 0 }));
      const verdict = await testRules(testPath);
      baselineTest = {
        ...verdict,
        firing: alerts && alerts.filter((a) => a.fires).map((a) => `${a.slo} ${a.severity} ${a.long}/${a.short}`),
      };
    }
    const groups = file.groups.map((g) => g.name);
    const artifact: AlertRulesArtifact = { fileName, yaml, groups, source, slos };
    const artifactId = check.ok ? await saveArtifact(deps.store, req.runId, ALERT_RULES_KIND, artifact) : null;
    const rules = file.groups.reduce((n, g) => n + g.rules.length, 0);
    return {
      fileName,
      artifactId,
      slos: slos.map((s) => ({ name: s.name, description: s.description })),
      rules,
      groups,
      notes,
      check,
      baselineTest,
      notInstallable,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
