// A small HTTP service whose endpoints answer after fixed delays and whose feature toggles (the
// generic toggle protocol) do what a test scripts: change a delay, change nothing, or refuse to be set.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';

export interface ScriptedToggle {
  name: string;
  endpoint: string;
  /** The endpoint's delay (ms) while the toggle is on; absent: the toggle changes nothing. */
  delayWhenOn?: number;
  /** The toggle API refuses to set it (HTTP 409). */
  refuse?: boolean;
}

export interface ScriptedTarget {
  profile: TargetProfile;
  env: NodeJS.ProcessEnv;
  /** The toggles' values; a test may change one as someone else would (any JSON value). */
  toggles: Record<string, unknown>;
  writes: { name: string; value: unknown }[];
  close(): Promise<void>;
}

export interface ScriptedTargetOptions {
  name: string;
  /** Endpoint name -> delay (ms) with every toggle off. */
  endpoints: Record<string, number>;
  toggles?: ScriptedToggle[];
  /** Profile fields over the defaults (targets, scope, load, redis...). */
  profile?: Record<string, unknown>;
  /** The endpoints answer 500 after this many requests (a service that breaks under load); default never. */
  failAfter?: number;
  /** actions.stages of the profile (default: the profile's default, by priority). */
  stages?: 'by-priority' | 'all-at-once';
}

export async function startScriptedTarget(o: ScriptedTargetOptions): Promise<ScriptedTarget> {
  const token = `${o.name}-token`;
  const scripted = o.toggles ?? [];
  const state: ScriptedTarget = {
    profile: null as never,
    env: { [tokenEnv(o.name)]: token },
    toggles: Object.fromEntries(scripted.map((t) => [t.name, false])),
    writes: [],
    close: async () => {},
  };
  const delayOf = (endpoint: string): number => {
    const on = scripted.find((t) => t.endpoint === endpoint && state.toggles[t.name] === true && t.delayWhenOn !== undefined);
    return on ? on.delayWhenOn! : (o.endpoints[endpoint] ?? 1);
  };
  let answered = 0;
  const server = http.createServer((req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url?.startsWith('/admin/toggles')) return toggleApi(req, send, state, scripted, token);
    const status = o.failAfter !== undefined && ++answered > o.failAfter ? 500 : 200;
    setTimeout(() => send(status, { ok: status === 200 }), delayOf((req.url ?? '/').slice(1)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  state.profile = parseTargetProfile({
    name: o.name,
    http: {
      baseUrl: `http://127.0.0.1:${port}`,
      endpoints: Object.keys(o.endpoints).map((name) => ({ name, path: `/${name}`, cacheable: scripted.some((t) => t.endpoint === name) })),
    },
    // No per-item A/B unless a test asks for it (test/integration/ab-validation.test.ts, test/safety/ab-cancel.test.ts):
    // its blocks would add seconds of load to every test that applies a toggle.
    load: { concurrency: 4, durationSeconds: 2, warmupSeconds: 0.5, abPairs: 0 },
    // Met at baseline (an easy target): the tests are about what comes after, so the run goes on.
    targets: { p95Ms: 1000, p99Ms: 2000, throughputRps: 1, whenMetAtBaseline: 'continue' },
    actions: {
      featureToggles: scripted.map((t) => ({
        name: t.name,
        fixes: 'uncached_endpoint',
        endpoints: [t.endpoint],
        tokenEnv: tokenEnv(o.name),
      })),
      ...(o.stages ? { stages: o.stages } : {}),
    },
    ...o.profile,
  });
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}

function tokenEnv(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TOKEN`;
}

function toggleApi(
  req: http.IncomingMessage,
  send: (code: number, body: unknown) => void,
  state: ScriptedTarget,
  scripted: ScriptedToggle[],
  token: string,
): void {
  if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'bad token' });
  if (req.method === 'GET') return send(200, state.toggles);
  const name = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
  const toggle = scripted.find((t) => t.name === name);
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (!toggle) return send(404, { error: `unknown toggle ${name}` });
    if (toggle.refuse) return send(409, { error: `toggle ${name} is locked during the sale` });
    const previous = state.toggles[name];
    state.toggles[name] = JSON.parse(body).value;
    state.writes.push({ name, value: state.toggles[name] });
    send(200, { name, value: state.toggles[name], previous });
  });
}
