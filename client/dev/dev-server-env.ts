// What `perf-orch dev server` prints: where the server and its Web UI are, and, when they are not where the
// CLI and worker look by default, the variables that point them there (the run's Web UI links included).
import { devServerUiPort, temporalConfig } from '../../common/temporal-config';
import { UsageError } from '../errors';

export interface DevServerPorts {
  port: number;
  uiPort: number;
}

/** `--ui-port` defaults to the Temporal CLI's rule: the gRPC port + 1000. */
export function devServerPorts(opts: { port: string; uiPort?: string }): DevServerPorts {
  const port = portNumber('--port', opts.port);
  return { port, uiPort: opts.uiPort === undefined ? devServerUiPort(port) : portNumber('--ui-port', opts.uiPort) };
}

function portNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new UsageError(`${flag} must be a port number (1-65535), got "${value}"`);
  return n;
}

/** The variables the CLI and worker need to find this server; {} when their defaults already do. */
export function devServerEnv(p: DevServerPorts): Record<string, string> {
  const env = { TEMPORAL_ADDRESS: `127.0.0.1:${p.port}`, TEMPORAL_UI_URL: `http://127.0.0.1:${p.uiPort}` };
  const fallback = temporalConfig({});
  const found = temporalConfig({ TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS });
  const out: Record<string, string> = {};
  if (env.TEMPORAL_ADDRESS !== fallback.address) out.TEMPORAL_ADDRESS = env.TEMPORAL_ADDRESS;
  if (env.TEMPORAL_UI_URL !== found.uiUrl) out.TEMPORAL_UI_URL = env.TEMPORAL_UI_URL;
  return out;
}

export function devServerLines(p: DevServerPorts, log: string): string[] {
  const lines = [`Temporal dev server on 127.0.0.1:${p.port}, Web UI http://127.0.0.1:${p.uiPort} (Ctrl-C stops it; log ${log})`];
  const env = devServerEnv(p);
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  if (vars.length) lines.push(`for the CLI and worker in other shells (run and status links included): export ${vars.join(' ')}`);
  return lines;
}
