// The analysis step as it ran before the skill registry (two hand-wired analyzers in parallel,
// returning bare findings). Kept so that histories recorded before it replay: analysisWorkflow takes
// this path when patched('skill-registry') is false. Nothing new starts here.
import { proxyActivities } from '@temporalio/workflow';
import { chooseFocus, selectTier, tierWithArchitecture, worstGap } from '../common/decisions';
import { buildPlan, rankFindings } from '../common/plan';
import type { AnalysisInput, AnalysisResult } from '../common/stages';
import type { Finding } from '../common/types';

// The activities' types of that time: bare findings, not SkillResult.
const { databaseOptimizationAnalyzer, cacheAnalyzer } = proxyActivities<
  Record<'databaseOptimizationAnalyzer' | 'cacheAnalyzer', (req: unknown) => Promise<Finding[]>>
>({
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 3 },
});

export async function analysisBeforeRegistry({ runId, target, scope, tier, profiling }: AnalysisInput): Promise<AnalysisResult> {
  const { baseline, database, cache, process, network } = profiling;
  const notes: string[] = [...(database?.problems ?? []), ...(cache?.problems ?? [])];
  const wantsDb = scope.includes('database') || scope.includes('application');

  const [dbFindings, cacheFindings] = await Promise.all([
    wantsDb && database?.available ? databaseOptimizationAnalyzer({ runId, target, profile: database }) : ([] as Finding[]),
    scope.includes('caching') && cache ? cacheAnalyzer({ target, cache, baseline }) : ([] as Finding[]),
  ]);

  const focus = chooseFocus(
    {
      dbShareOfLatencyPct: database?.available ? database.dbShareOfLatencyPct : null,
      appCpuPct: process?.cpuPctAvg ?? null,
      cacheHitRatioPct: cache?.hitRatioPct ?? null,
      networkLatencyMs: network?.connectMsAvg ?? null,
    },
    scope,
  );
  const items = rankFindings([...dbFindings, ...cacheFindings], baseline, target, scope);
  const layersAtFault = new Set([...focus, ...items.map((i) => i.layer)]).size;
  const chosenTier =
    tier === 'auto'
      ? tierWithArchitecture(
          selectTier(
            worstGap(
              {
                p95Ms: baseline.latencyMs.p95,
                p99Ms: baseline.latencyMs.p99,
                throughputRps: baseline.throughputRps,
                errorRatePct: baseline.errorRatePct,
              },
              target.targets,
            ),
            layersAtFault,
          ),
          [...dbFindings, ...cacheFindings],
          scope,
        )
      : tier;
  if (items.length === 0) notes.push('no optimization found for the layers in scope');
  return { plan: buildPlan(items, chosenTier, focus), notes };
}
