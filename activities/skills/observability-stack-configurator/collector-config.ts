// The OpenTelemetry Collector config made for the target (common/observability/otel-collector.ts),
// stored for the report to write beside it: the file the user loads into their Collector.
import YAML from 'yaml';
import { OTEL_COLLECTOR_FILE, otelCollectorConfig } from '../../../common/observability/otel-collector';
import type { SkillRequest } from '../../../common/stages';
import type { ActivityDeps } from '../../deps';
import { saveArtifact } from '../../store/artifacts';
import type { CollectorConfigEvidence } from './findings';

export const OTEL_COLLECTOR_KIND = 'otel-collector-config';

export async function makeCollectorConfig(deps: Pick<ActivityDeps, 'store'>, req: SkillRequest): Promise<CollectorConfigEvidence> {
  const o = req.target.observability!;
  const { config, notes } = otelCollectorConfig({
    service: req.target.name,
    prometheusUrl: o.prometheusUrl,
    tracesEndpoint: o.tracesEndpoint ?? null,
  });
  const header = [
    `OpenTelemetry Collector config for ${req.target.name}, made by perf-orchestrator (run ${req.runId}).`,
    ...notes,
    'Check it with: otelcol validate --config=<this file>',
  ];
  const yaml = `${header.map((l) => `# ${l}`).join('\n')}\n${YAML.stringify(config, { lineWidth: 0 })}`;
  const fileName = `${req.target.name}-${OTEL_COLLECTOR_FILE}`;
  const artifactId = await saveArtifact(deps.store, req.runId, OTEL_COLLECTOR_KIND, { fileName, yaml });
  return { fileName, artifactId, notes };
}
