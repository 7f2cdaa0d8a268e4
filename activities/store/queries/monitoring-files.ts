// The CLI's read of the files the observability skill stored (alert rules, Grafana dashboard, Collector config), as the
// text to write beside the report.
import type { Pool } from 'pg';
import { loadArtifact } from '../artifacts';

export async function monitoringFileText(
  store: Pool,
  kind: 'alert-rules' | 'grafana-dashboard' | 'otel-collector-config',
  artifactId: string,
): Promise<string> {
  const stored = await loadArtifact<{ yaml?: string; json?: unknown }>(store, artifactId);
  return kind === 'grafana-dashboard' ? `${JSON.stringify(stored.json, null, 2)}\n` : (stored.yaml ?? '');
}
