// Where Temporal is: the embedded dev server by default, any cluster by environment alone.
export interface TemporalConfig {
  address: string;
  namespace: string;
  apiKey?: string;
  tls: boolean;
  uiUrl: string;
}

export function temporalConfig(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  const address = env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
  return {
    address,
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    apiKey,
    tls: env.TEMPORAL_TLS === '1' || env.TEMPORAL_TLS === 'true' || Boolean(apiKey),
    uiUrl: (env.TEMPORAL_UI_URL || defaultUiUrl(address)).replace(/\/$/, ''),
  };
}

/** The Temporal CLI dev server's Web UI listens on its gRPC port + 1000 unless told otherwise. */
export const devServerUiPort = (grpcPort: number) => grpcPort + 1000;

/** A dev server on this host (loopback address): its Web UI by the CLI's rule; anything else: the local default. */
export function defaultUiUrl(address: string): string {
  const m = /^(127\.0\.0\.1|localhost|\[::1\]):(\d+)$/.exec(address);
  return m ? `http://${m[1]}:${devServerUiPort(Number(m[2]))}` : 'http://127.0.0.1:8233';
}

export function webUiLink(cfg: TemporalConfig, workflowId: string, runId?: string): string {
  const base = `${cfg.uiUrl}/namespaces/${encodeURIComponent(cfg.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${runId}/history` : base;
}

export const DEFAULT_STORE_URL = 'postgres://postgres@127.0.0.1:5432/perf_orchestrator';
