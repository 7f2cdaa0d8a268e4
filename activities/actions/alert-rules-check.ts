// After the validation: the alert rules the run installed, checked once more where they matter. Still
// loaded and healthy in Prometheus, and `promtool test rules` on what the run measured: the baseline,
// the validated "after", and the baseline with the last 2 hours after the changes (a fix deployed
// then: the pages must have stopped, the slow tickets may go on). The cases run as promtool processes
// of their own, side by side. What the run reports as monitoring_configured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Pool } from 'pg';
import type { OperatorPolicy } from '../../common/operator-policy';
import type { TargetProfile } from '../../common/profile';
import { ruleTestFile, type RuleTestCase } from '../../common/observability/rule-tests';
import type { MonitoringCheck } from '../../common/stages';
import type { PrometheusApi } from '../prometheus/client';
import { testRules } from '../prometheus/promtool';
import { loadArtifact } from '../store/artifacts';
import { loadEngineResult, measuredBehaviour } from '../store/measured-behaviour';
import type { AlertRulesArtifact } from '../../common/observability/slo-rules';
import { rulesDirOf, unhealthy } from './alert-rules';

export interface MonitoringCheckRequest {
  target: TargetProfile;
  artifactId: string;
  baselineId: string;
  afterId: string | null;
}

const FIX_DEPLOYED_MINUTES = 120;

async function engineResult(store: Pool, id: string) {
  const r = await loadEngineResult(store, id);
  if (!r) throw new Error(`load test ${id} kept no per-second progress or histogram`);
  return r;
}

export async function checkAlertRules(
  req: MonitoringCheckRequest,
  deps: { store: Pool; policy: Pick<OperatorPolicy, 'rulesDirs'>; api: PrometheusApi },
): Promise<MonitoringCheck> {
  const art = await loadArtifact<AlertRulesArtifact>(deps.store, req.artifactId);
  const path = join(rulesDirOf(req.target, deps.policy), art.fileName);
  const health = await unhealthy(deps.api, path, art.groups);
  const { source, slos } = art;
  const baseline = measuredBehaviour('baseline', await engineResult(deps.store, req.baselineId), source, slos);
  const cases: RuleTestCase[] = [{ name: 'baseline', behaviour: baseline }];
  if (req.afterId) {
    const after = measuredBehaviour('after', await engineResult(deps.store, req.afterId), source, slos);
    cases.push(
      { name: 'after', behaviour: after },
      {
        name: `baseline, then after for the last ${FIX_DEPLOYED_MINUTES / 60} h`,
        behaviour: baseline,
        then: { behaviour: after, lastMinutes: FIX_DEPLOYED_MINUTES },
      },
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'perf-alert-check-'));
  try {
    const rulesCopy = join(dir, art.fileName);
    writeFileSync(rulesCopy, art.yaml);
    const results = await Promise.all(
      cases.map(async (tc, k) => {
        const t = ruleTestFile(rulesCopy, source, slos, [tc]);
        const file = join(dir, `case-${k}.test.yml`);
        writeFileSync(file, YAML.stringify(t.file, { lineWidth: 0 }));
        const alerts = t.expectations[0].alerts;
        return {
          name: tc.name,
          verdict: await testRules(file),
          firing: alerts && alerts.filter((a) => a.fires).map((a) => `${a.slo} ${a.severity} ${a.long}/${a.short}`),
        };
      }),
    );
    return {
      file: path,
      slos: slos.map((s) => s.name),
      healthy: health === null,
      healthNote: health,
      testsOk: results.every((r) => r.verdict.ok),
      cases: results.map((r) => ({
        name: r.name,
        ok: r.verdict.ok,
        firing: r.firing,
        ...(r.verdict.ok ? {} : { output: r.verdict.output }),
      })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
