// Runs one load generator (ours or autocannon) in this process and prints one JSON line with its
// figures; CPU is this process's user + system time during the run only (not its start-up).
// Argument: JSON {tool, url, connections, seconds, model?, rateRps?, maxConnections?}.
import { parseTargetProfile } from '../../common/profile';
import { runLoad } from '../../activities/loadtest/load';

interface Args {
  tool: 'ours' | 'autocannon';
  url: string;
  connections: number;
  seconds: number;
  model?: 'closed' | 'open';
  rateRps?: number;
  maxConnections?: number;
}

export interface ToolFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  cpuMs: number;
  dropped?: number;
  sendLagP99Ms?: number;
}

async function ours(a: Args): Promise<ToolFigures> {
  const u = new URL(a.url);
  const target = parseTargetProfile({
    name: 'bench',
    http: { baseUrl: u.origin, endpoints: [{ name: 'target', path: u.pathname }] },
    load: { requestTimeoutMs: 10_000 },
    targets: { p95Ms: 1000, p99Ms: 1000, throughputRps: 1 },
  });
  const cpu0 = process.cpuUsage();
  const r = await runLoad({
    target,
    model: a.model ?? 'closed',
    concurrency: a.connections,
    rateRps: a.rateRps,
    maxConnections: a.maxConnections,
    durationSeconds: a.seconds,
    warmupSeconds: 0,
    maxRequests: 5_000_000,
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    rps: r.throughputRps,
    p50Ms: r.latencyMs.p50,
    p99Ms: r.latencyMs.p99,
    requests: r.requests,
    errors: r.errors,
    cpuMs: (cpu.user + cpu.system) / 1000,
    dropped: r.dropped,
    sendLagP99Ms: r.sendLagMs?.p99,
  };
}

async function autocannon(a: Args): Promise<ToolFigures> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const run = require('autocannon') as (o: object, cb: (err: unknown, res: AutocannonResult) => void) => unknown;
  const cpu0 = process.cpuUsage();
  const res = await new Promise<AutocannonResult>((resolve, reject) =>
    run({ url: a.url, connections: a.connections, duration: a.seconds, pipelining: 1 }, (err, r) => (err ? reject(err) : resolve(r))),
  );
  const cpu = process.cpuUsage(cpu0);
  return {
    rps: res.requests.total / res.duration,
    p50Ms: res.latency.p50,
    p99Ms: res.latency.p99,
    requests: res.requests.total,
    errors: res.errors + res.timeouts + res.non2xx,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]) as Args;
  const figures = a.tool === 'ours' ? await ours(a) : await autocannon(a);
  process.stdout.write(`RESULT ${JSON.stringify(figures)}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
