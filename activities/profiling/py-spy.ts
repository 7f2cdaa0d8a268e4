// CPU profile of a Python target with py-spy (process.pySpy of the profile), over the load window.
//
// The target's processes are found by the port they listen on (service-processes.ts) when the
// window starts (after the warm-up, so a pre-fork server's workers are up). py-spy attaches to the
// root of each process tree holding the socket (a gunicorn or uwsgi master) with --subprocesses, so
// the workers are sampled too: `py-spy record --pid ROOT --subprocesses --function --format
// speedscope --duration N --rate R --nonblocking`. --nonblocking reads the target's memory without
// pausing it (py-spy cannot read native stacks then: no --native); --function keys frames by the
// function's first line, as the V8 profile does. Attaching needs ptrace: root, or CAP_SYS_PTRACE
// (and kernel.yama.ptrace_scope <= 1) for a worker in a container.
//
// The speedscope file is saved whole in the store (artifact kind 'speedscope') and as
// <target>-<run>-<time>.speedscope.json under PERF_ARTIFACTS_DIR (opens in speedscope.app); the
// workflow gets the summary (speedscope-summary.ts: shares of one core over the window). Like the
// inspector's profile it is evidence: a missing py-spy, a refused attach or a process gone gives a
// summary whose problems say so (the fix included); only cancellation throws, and kills py-spy.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, join, resolve } from 'node:path';
import { retrySpan } from '../../common/load-window';
import type { CpuProfileSummary } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { saveArtifact } from '../store/artifacts';
import { activityContext, sleep } from '../activity-context';
import { DEFAULT_ARTIFACTS_DIR, profileFileName, type ProfileCpuHooks, type ProfileCpuRequest } from './cpu-profile';
import { localPortOf } from './process';
import { findServiceProcesses } from './service-processes';
import { isSpeedscopeFile, mergeSpeedscope, summarizeSpeedscope, type SpeedscopeFile } from './speedscope-summary';
import { emptyCpuSummary } from './empty-cpu-summary';

export const PY_SPY_INSTALL = 'bash scripts/install-py-spy.sh';
export const LOCAL_PY_SPY = resolve(__dirname, '../../.tools/py-spy/bin/py-spy');
const MAX_TREES = 4; // py-spy processes at once (one per process tree holding the socket)

/** PY_SPY_PATH, the project's .tools/py-spy, or py-spy on PATH; null when there is none. */
export function findPySpy(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.PY_SPY_PATH) return existsSync(env.PY_SPY_PATH) ? env.PY_SPY_PATH : null;
  if (existsSync(LOCAL_PY_SPY)) return LOCAL_PY_SPY;
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'py-spy'))) return join(dir, 'py-spy');
  return null;
}

export function pySpyArgs(pid: number, seconds: number, rate: number, out: string): string[] {
  const d = String(Math.max(1, Math.round(seconds)));
  return ['record', '--pid', String(pid), '--subprocesses', '--function', '--format', 'speedscope'].concat([
    '--duration',
    d,
    '--rate',
    String(rate),
    '--nonblocking',
    '--output',
    out,
  ]);
}

/** py-spy's "Error: ..." and its causes, on one line, with the fix for the usual one. */
export function pySpyError(stderr: string, code: number | null): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  const from = lines.findIndex((l) => l.startsWith('Error:'));
  const said =
    from >= 0
      ? lines
          .slice(from, from + 5)
          .filter(Boolean)
          .join(' ')
      : lines.filter(Boolean).slice(-2).join(' ');
  const hint = /permission denied|operation not permitted/i.test(said)
    ? ': py-spy needs ptrace, run the worker as root or give it CAP_SYS_PTRACE (docker: cap_add: [SYS_PTRACE], pid: host)'
    : '';
  return `py-spy exited with code ${code}: ${said || 'no message'}${hint}`;
}

function emptySummary(req: ProfileCpuRequest, problems: string[]): CpuProfileSummary {
  const samplingIntervalUs = Math.round(1e6 / (req.target.process?.pySpy?.rate ?? 100));
  return emptyCpuSummary({ profiler: 'py-spy', samplingIntervalUs }, req.thresholdPct, problems);
}

function throwIfCancelled(signal?: AbortSignal): void {
  if (!signal?.aborted) return;
  const reason = signal.reason;
  throw reason instanceof Error ? reason : new Error('cancelled');
}

/** Profiles the Python target over the window; null when the profile has no process.pySpy. */
export async function profilePython(
  req: ProfileCpuRequest,
  store: ActivityDeps['store'] | undefined,
  hooks: Omit<ProfileCpuHooks, 'policy'> = {},
): Promise<CpuProfileSummary | null> {
  const opts = req.target.process?.pySpy;
  if (!opts) return null;
  const { signal, heartbeat } = hooks;
  const bin = findPySpy();
  if (!bin) {
    const where = process.env.PY_SPY_PATH ? `PY_SPY_PATH=${process.env.PY_SPY_PATH} does not exist` : 'py-spy is not installed';
    return emptySummary(req, [`no CPU profile: ${where}; run ${PY_SPY_INSTALL} (or set PY_SPY_PATH to a py-spy binary)`]);
  }
  const startAfterMs = Math.max(0, req.startAfterSeconds ?? 0) * 1000;
  for (let waited = 0; waited < startAfterMs; waited += 1000) {
    heartbeat?.({ phase: 'waiting', seconds: waited / 1000 });
    await sleep(Math.min(1000, startAfterMs - waited), signal);
    throwIfCancelled(signal);
  }
  const port = localPortOf(req.target);
  const tree = port === null ? null : await findServiceProcesses(port);
  if (!tree) return emptySummary(req, [`no CPU profile: no process listens on port ${port} on this host (set process.port)`]);

  const seconds = Math.max(1, Math.round(req.durationSeconds));
  const dir = await mkdtemp(join(tmpdir(), 'perf-py-spy-'));
  try {
    const roots = tree.roots.slice(0, MAX_TREES);
    const fromMs = Date.now();
    const runs = await recordAll(bin, roots, seconds, opts.rate, dir, hooks);
    const summary = emptySummary(req, runs.problems);
    summary.pid = tree.root;
    summary.runtime = await pythonRuntime(tree.root);
    summary.window = { fromMs, toMs: Date.now() };
    if (tree.roots.length > MAX_TREES)
      summary.problems.push(`${tree.roots.length - MAX_TREES} more process trees hold the socket and were not profiled`);
    if (runs.files.length > 0) await keepProfile(mergeSpeedscope(runs.files), seconds, summary, req, store, hooks);
    return summary;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One py-spy per root, together; their speedscope files, and a problem per one that failed. */
async function recordAll(
  bin: string,
  roots: number[],
  seconds: number,
  rate: number,
  dir: string,
  { signal, heartbeat }: Pick<ProfileCpuHooks, 'signal' | 'heartbeat'>,
): Promise<{ files: SpeedscopeFile[]; problems: string[] }> {
  const children: ChildProcess[] = [];
  const exits = roots.map((pid, i) => {
    const out = join(dir, `${i}.json`);
    const child = spawn(bin, pySpyArgs(pid, seconds, rate, out), { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    return new Promise<{ out: string; code: number | null; stderr: string }>((res) => {
      child.once('error', (err) => res({ out, code: null, stderr: `Error: ${err.message}` }));
      child.once('close', (code) => res({ out, code, stderr }));
    });
  });
  const done = Promise.all(exits);
  let finished = false;
  void done.then(() => (finished = true));
  const t0 = Date.now();
  const limitMs = seconds * 1000 + 30_000; // attaching, writing the file
  try {
    while (!finished) {
      heartbeat?.({ phase: 'profiling', seconds: Math.floor((Date.now() - t0) / 1000), of: seconds });
      await Promise.race([done, sleep(1000, signal)]);
      throwIfCancelled(signal);
      if (Date.now() - t0 > limitMs) for (const c of children) c.kill('SIGKILL');
    }
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
  const files: SpeedscopeFile[] = [];
  const problems: string[] = [];
  for (const [i, r] of (await done).entries()) {
    const parsed = r.code === 0 ? await readSpeedscope(r.out) : null;
    if (parsed) files.push(parsed);
    else
      problems.push(
        `no CPU profile of process ${roots[i]}: ${r.code === 0 ? 'py-spy wrote no speedscope file' : pySpyError(r.stderr, r.code)}`,
      );
  }
  return { files, problems };
}

async function readSpeedscope(file: string): Promise<SpeedscopeFile | null> {
  try {
    const data: unknown = JSON.parse(await readFile(file, 'utf8'));
    return isSpeedscopeFile(data) ? data : null;
  } catch {
    return null;
  }
}

/** The interpreter's name from /proc/PID/exe (e.g. "python3.11"), null when it cannot be read. */
async function pythonRuntime(pid: number): Promise<string | null> {
  try {
    return basename(await readlink(`/proc/${pid}/exe`));
  } catch {
    return null;
  }
}

/** Summarizes the file into `summary`, writes it under PERF_ARTIFACTS_DIR and saves it in the store (problems when not). */
async function keepProfile(
  file: SpeedscopeFile,
  seconds: number,
  summary: CpuProfileSummary,
  req: ProfileCpuRequest,
  store: ActivityDeps['store'] | undefined,
  hooks: Pick<ProfileCpuHooks, 'artifactsDir'>,
): Promise<void> {
  const rate = req.target.process?.pySpy?.rate ?? 100;
  const digest = summarizeSpeedscope(file, { windowSeconds: seconds, rate, thresholdPct: req.thresholdPct, top: req.top });
  summary.durationMs = digest.durationMs;
  summary.samples = digest.samples;
  summary.busyPct = digest.busyPct;
  summary.functions = digest.functions;
  summary.pids = digest.pids;
  if (digest.samples === 0) summary.problems.push('py-spy sampled no busy Python thread in the window (was the target under load?)');
  const dir = resolve(hooks.artifactsDir ?? (process.env.PERF_ARTIFACTS_DIR || DEFAULT_ARTIFACTS_DIR));
  try {
    await mkdir(dir, { recursive: true });
    const path = join(dir, profileFileName(req.target.name, req.runId, new Date(), '.speedscope.json'));
    await writeFile(path, JSON.stringify(file));
    summary.file = path;
  } catch (err) {
    summary.problems.push(`the speedscope file could not be written in ${dir}: ${(err as Error).message} (set PERF_ARTIFACTS_DIR)`);
  }
  if (store) {
    try {
      summary.artifactId = await saveArtifact(store, req.runId, 'speedscope', file);
    } catch (err) {
      summary.problems.push(`the profile could not be saved in the store: ${(err as Error).message}`);
    }
  }
}

export function createPySpyActivities(deps: ActivityDeps) {
  return {
    /** CPU profile of a Python target with py-spy over the load window; null without process.pySpy. */
    async profilePython(req: ProfileCpuRequest): Promise<CpuProfileSummary | null> {
      const ctx = activityContext();
      const attempt = ctx?.info.attempt ?? 1;
      const now = Date.now();
      const fromMs = attempt > 1 && req.window ? req.window.measureFromMs : now + (req.startAfterSeconds ?? 0) * 1000;
      const span = retrySpan(attempt, now, req.window, { fromMs, durationMs: req.durationSeconds * 1000 });
      if (!span.sample) return req.target.process?.pySpy ? { ...emptySummary(req, [span.reason]), notMeasured: span.reason } : null;
      const windowed = { ...req, startAfterSeconds: span.startAfterMs / 1000, durationSeconds: span.durationMs / 1000 };
      return profilePython(windowed, deps.store, {
        signal: ctx?.cancellationSignal,
        heartbeat: ctx ? (d) => ctx.heartbeat(d) : undefined,
      });
    },
  };
}
