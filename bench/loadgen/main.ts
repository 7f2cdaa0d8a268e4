// npm run bench:loadgen [-- --seconds 5 --reps 3 --connections 50 --only nginx,node,slow,stall]
//
// Our load generator against wrk (Debian) and autocannon (npm devDependency), on three targets on
// 127.0.0.1: nginx serving a small static file, a minimal Node.js server, and the same answering
// after 20 ms. Runs are interleaved (the tool order rotates each repetition) and each tool runs in
// its own process; the table shows medians and ratios. Then the stall test: the open model at
// 1000 req/s for 5 s against the 20 ms server, which blocks its event loop for 200 ms once in the
// middle; a correct (coordinated-omission-free) generator reads p99 ~190 ms there, a closed-loop
// one ~25 ms. It prints figures; nothing asserts on them (the machine may be shared).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { startNginx, startNodeTarget, type Target } from './servers';
import type { ToolFigures } from './tool-child';

type Tool = 'ours' | 'wrk' | 'autocannon';

interface Options {
  seconds: number;
  reps: number;
  connections: number;
  only: Set<string>;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seconds: 5, reps: 3, connections: 50, only: new Set(['nginx', 'node', 'slow', 'stall']) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--seconds') o.seconds = Number(v);
    else if (a === '--reps') o.reps = Number(v);
    else if (a === '--connections') o.connections = Number(v);
    else if (a === '--only') o.only = new Set(v.split(','));
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run bench:loadgen -- [--seconds 5] [--reps 3] [--connections 50] [--only nginx,node,slow,stall]');
      process.exit(0);
    } else continue;
    i++;
  }
  if (!(o.seconds >= 1 && o.seconds <= 60) || !(o.reps >= 1 && o.reps <= 10) || !(o.connections >= 1 && o.connections <= 1000)) {
    throw new Error('bounds: --seconds 1..60, --reps 1..10, --connections 1..1000');
  }
  return o;
}

const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function haveWrk(): boolean {
  return spawnSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).status === 0;
}

function haveAutocannon(): boolean {
  try {
    require.resolve('autocannon');
    return true;
  } catch {
    return false;
  }
}

/** wrk duration string -> ms ("812.00us", "1.20ms", "2.01s"). */
function wrkMs(s: string | undefined): number {
  if (!s) return NaN;
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000;
}

/** "XmY.YYYs" from bash's `times` -> ms. */
function timesMs(s: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(s.trim());
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : NaN;
}

function runWrk(url: string, connections: number, seconds: number, threads = 2): ToolFigures {
  // `times` prints the shell's and then its children's user/system CPU: wrk's cost.
  const r = spawnSync('bash', ['-c', `wrk -t${threads} -c${connections} -d${seconds}s --latency '${url}'; times`], {
    encoding: 'utf8',
    timeout: (seconds + 30) * 1000,
  });
  const out = r.stdout ?? '';
  const lines = out.trim().split('\n');
  const [cu, cs] = (lines[lines.length - 1] ?? '').trim().split(/\s+/);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const errs = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50Ms: wrkMs(/\n\s+50%\s+(\S+)/.exec(out)?.[1]),
    p99Ms: wrkMs(/\n\s+99%\s+(\S+)/.exec(out)?.[1]),
    requests,
    errors: (errs ? Number(errs[1]) : 0) + (sock ? sock.slice(1).reduce((n, x) => n + Number(x), 0) : 0),
    cpuMs: timesMs(cu ?? '') + timesMs(cs ?? ''),
  };
}

function runChild(args: object, timeoutMs: number): Promise<ToolFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'tool-child.ts'), JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)));
      else reject(new Error(`tool child failed (${code}): ${err.slice(0, 2000)}`));
    });
  });
}

async function runTool(tool: Tool, url: string, o: Options): Promise<ToolFigures> {
  if (tool === 'wrk') return runWrk(url, o.connections, o.seconds);
  return runChild({ tool, url, connections: o.connections, seconds: o.seconds }, (o.seconds + 60) * 1000);
}

interface Row {
  target: string;
  tool: Tool;
  runs: ToolFigures[];
}

function printTable(rows: Row[], tools: Tool[]): void {
  console.log('\n## Throughput and latency (medians over the repetitions)\n');
  console.log('| target | tool | req/s | p50 ms | p99 ms | CPU us/req | errors | vs wrk | vs autocannon |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  const targets = [...new Set(rows.map((r) => r.target))];
  for (const target of targets) {
    const med = (tool: Tool) => {
      const r = rows.find((x) => x.target === target && x.tool === tool);
      return r ? median(r.runs.map((f) => f.rps)) : NaN;
    };
    for (const tool of tools) {
      const r = rows.find((x) => x.target === target && x.tool === tool);
      if (!r) continue;
      const rps = median(r.runs.map((f) => f.rps));
      const cpu = median(r.runs.map((f) => (f.cpuMs * 1000) / Math.max(1, f.requests)));
      const vsWrk = tool === 'wrk' ? '1.00' : fmt(rps / med('wrk'), 2);
      const vsAc = tool === 'autocannon' ? '1.00' : fmt(rps / med('autocannon'), 2);
      console.log(
        `| ${target} | ${tool} | ${fmt(rps)} | ${fmt(median(r.runs.map((f) => f.p50Ms)), 2)} | ` +
          `${fmt(median(r.runs.map((f) => f.p99Ms)), 2)} | ${fmt(cpu, 1)} | ` +
          `${r.runs.reduce((n, f) => n + (f.errors || 0), 0)} | ${vsWrk} | ${vsAc} |`,
      );
    }
  }
  console.log('\nEach run:', rows.map((r) => `${r.target}/${r.tool}: ${r.runs.map((f) => fmt(f.rps)).join(', ')}`).join('; '));
}

/**
 * The p99 an ideal (coordinated-omission-free) generator reads in the stall test: arrivals every
 * 1/rate s; answers after delayMs, except that nothing is answered while the event loop is blocked,
 * and requests that arrive then are parsed (their delay starts) when it ends.
 */
export function expectedStallP99(rate: number, seconds: number, delayMs: number, stallStartMs: number, stallMs: number): number {
  const stallEnd = stallStartMs + stallMs;
  const lat: number[] = [];
  const n = Math.round(rate * seconds);
  for (let k = 0; k < n; k++) {
    const a = (k * 1000) / rate;
    let done: number;
    if (a < stallStartMs) {
      done = a + delayMs;
      if (done > stallStartMs && done < stallEnd) done = stallEnd;
    } else if (a < stallEnd) done = stallEnd + delayMs;
    else done = a + delayMs;
    lat.push(done - a);
  }
  lat.sort((x, y) => x - y);
  return lat[Math.ceil(0.99 * lat.length) - 1];
}

async function stallTest(o: Options, wrkAvailable: boolean): Promise<void> {
  const rate = 1000;
  const seconds = 5;
  const delayMs = 20;
  const stallAtMs = 2500;
  const stallMs = 200;
  const expected = expectedStallP99(rate, seconds, delayMs, stallAtMs, stallMs);
  console.log(
    `\n## Stall test: open model, ${rate} req/s for ${seconds} s, ` +
      `${delayMs} ms server that blocks its event loop for ${stallMs} ms once, ${stallAtMs} ms in (load ${load()})\n`,
  );
  const ours: ToolFigures[] = [];
  for (let i = 0; i < o.reps; i++) {
    const server = await startNodeTarget({ name: 'stall', delayMs, stallAtMs, stallMs });
    try {
      ours.push(await runChild({ tool: 'ours', url: server.url, model: 'open', rateRps: rate, maxConnections: 1000, seconds }, 90_000));
    } finally {
      await server.close();
    }
  }
  // Closed loops on the same stall, for contrast: 20 connections at 20 ms is ~1000 req/s too.
  const closed: Array<[string, ToolFigures]> = [];
  for (const tool of ['autocannon', 'wrk'] as const) {
    if (tool === 'autocannon' && !haveAutocannon()) continue;
    if (tool === 'wrk' && !wrkAvailable) continue;
    const server = await startNodeTarget({ name: 'stall', delayMs, stallAtMs, stallMs });
    try {
      const f =
        tool === 'wrk' ? runWrk(server.url, 20, seconds, 1) : await runChild({ tool, url: server.url, connections: 20, seconds }, 90_000);
      closed.push([`${tool}, closed loop (20 connections)`, f]);
    } finally {
      await server.close();
    }
  }
  const p99 = median(ours.map((f) => f.p99Ms));
  const cpuPct = median(ours.map((f) => (f.cpuMs / (seconds * 1000)) * 100));
  console.log(
    '| generator | p99 ms (median) | expected p99 ms | deviation | p50 ms | requests | dropped | CPU % of one core | send lag p99 ms |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(
    `| ours, open model | ${fmt(p99, 1)} | ${fmt(expected, 1)} | ${fmt(((p99 - expected) / expected) * 100, 1)}% | ` +
      `${fmt(median(ours.map((f) => f.p50Ms)), 2)} | ${fmt(median(ours.map((f) => f.requests)))} | ` +
      `${fmt(median(ours.map((f) => f.dropped ?? 0)))} | ${fmt(cpuPct, 1)} | ` +
      `${fmt(median(ours.map((f) => f.sendLagP99Ms ?? NaN)), 2)} |`,
  );
  for (const [name, f] of closed) console.log(`| ${name} | ${fmt(f.p99Ms, 1)} | | | ${fmt(f.p50Ms, 2)} | ${fmt(f.requests)} | | | |`);
  console.log(
    `\nour p99 per run: ${ours.map((f) => fmt(f.p99Ms, 1)).join(', ')} ms; CPU per run: ` +
      `${ours.map((f) => fmt((f.cpuMs / (seconds * 1000)) * 100, 1)).join(', ')} % of one core`,
  );
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const wrkAvailable = haveWrk();
  const acAvailable = haveAutocannon();
  const tools: Tool[] = ['ours', ...(wrkAvailable ? (['wrk'] as Tool[]) : []), ...(acAvailable ? (['autocannon'] as Tool[]) : [])];
  if (!wrkAvailable) console.log('wrk not found: apt-get install -y wrk (comparisons with it are skipped)');
  if (!acAvailable) console.log('autocannon not found: npm install (it is a devDependency; comparisons with it are skipped)');
  console.log(
    `# Load generator benchmark: ${o.seconds} s runs, ${o.connections} connections, ${o.reps} repetitions, tools ${tools.join(', ')}`,
  );
  console.log(`node ${process.version}, ${cpus().length} CPUs, load average at start ${load()}`);
  if (!existsSync('/proc/loadavg')) console.log('(no /proc/loadavg: load figures unavailable)');

  const rows: Row[] = [];
  const specs: Array<{ key: string; start: () => Promise<Target> }> = [
    { key: 'nginx', start: startNginx },
    { key: 'node', start: () => startNodeTarget({ name: 'node' }) },
    { key: 'slow', start: () => startNodeTarget({ name: 'node 20 ms', delayMs: 20 }) },
  ];
  for (const spec of specs.filter((s) => o.only.has(s.key))) {
    let target: Target;
    try {
      target = await spec.start();
    } catch (err) {
      console.log(`skipping ${spec.key}: ${(err as Error).message}`);
      continue;
    }
    try {
      // Warm the target (JIT, connection handling) before anything is measured.
      if (wrkAvailable) runWrk(target.url, o.connections, 2);
      else await runTool('ours', target.url, { ...o, seconds: 2 });
      for (const tool of tools) rows.push({ target: target.name, tool, runs: [] });
      for (let rep = 0; rep < o.reps; rep++) {
        const order = tools.map((_, i) => tools[(i + rep) % tools.length]);
        for (const tool of order) {
          const f = await runTool(tool, target.url, o);
          rows.find((r) => r.target === target.name && r.tool === tool)!.runs.push(f);
          process.stdout.write(
            `  ${target.name} rep ${rep + 1} ${tool}: ${fmt(f.rps)} req/s, p99 ${fmt(f.p99Ms, 2)} ms (load ${load()})\n`,
          );
        }
      }
    } finally {
      await target.close();
    }
  }
  if (rows.length) printTable(rows, tools);
  if (o.only.has('stall')) await stallTest(o, wrkAvailable);
  console.log(
    `\nload average at the end ${load()} (${cpus().length} CPUs: above that, other work shared the machine and the figures are noisy)`,
  );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
