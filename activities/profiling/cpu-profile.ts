// CPU profile and event-loop delay of a Node.js target, through its inspector (process.inspectorUrl
// of the profile, e.g. http://127.0.0.1:9229 for a service started with --inspect=127.0.0.1:9229).
//
// During the load test: Profiler.enable, setSamplingInterval, start; wait for the window
// (heartbeat each second, stop on cancellation); Profiler.stop -> the profile. It is saved whole in
// the store (artifact kind 'cpuprofile') and as a .cpuprofile file (opens in Chrome DevTools and
// speedscope) under PERF_ARTIFACTS_DIR (default reports/profiles, relative to the worker's cwd);
// the workflow gets only the summary: the top functions with self/total shares, the ids, the path.
//
// Event-loop delay: Runtime.evaluate installs a perf_hooks.monitorEventLoopDelay histogram in the
// target at the start of the window (kept under a global Symbol) and reads p50/p99/max/mean at the
// end, then disables and removes it. The histogram records the time between its timer's runs, which
// includes the timer's own period (an idle loop reads ~10 ms at the 10 ms resolution), so the
// resolution is subtracted: an idle loop reports ~0 ms, a loop blocked 40 ms at a time ~40 ms.
// The perf_hooks module is reached in the evaluated code through process.getBuiltinModule
// (Node >= 20.16 / 22.3), else the inspector console's `require` (Runtime.evaluate with
// includeCommandLineAPI gives it), else process.mainModule.require. Tried on Node 20.20: a bare
// `require` is undefined in the evaluated context for a script or ES module entry point (only
// `node -e` has it), process.mainModule is undefined for ES module entries, and both
// process.getBuiltinModule and the console `require` work for CommonJS, ESM and tsx entries.
//
// The target is left as it was: the profiler is stopped and disabled and the histogram removed,
// on success, error and cancellation alike.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { retrySpan, type PlannedWindow } from '../../common/load-window';
import type { TargetProfile } from '../../common/profile';
import type { CpuProfileSummary, EventLoopDelay } from '../../common/types';
import type { ActivityDeps } from '../deps';
import { assertAllowedHost } from '../http/allowed-host';
import type { OperatorPolicy } from '../../common/operator-policy';
import { saveArtifact } from '../store/artifacts';
import { isCpuProfile, summarizeCpuProfile, type CpuProfile } from './cpu-summary';
import { InspectorSession, discoverDebuggerUrl } from './inspector';
import { emptyCpuSummary } from './empty-cpu-summary';
import { activityContext, sleep } from '../activity-context';

export const DEFAULT_ARTIFACTS_DIR = 'reports/profiles';

export interface ProfileCpuRequest {
  runId: string;
  target: TargetProfile;
  durationSeconds: number;
  startAfterSeconds?: number; // e.g. the load test's warm-up: profile the measured window only
  samplingIntervalUs?: number; // default 1000
  thresholdPct?: number; // hot functions: self share above it (default 5)
  top?: number; // functions kept in the summary (default 15)
  window?: PlannedWindow; // the load window the profile belongs to: a retry profiles only what is left of it
}

export interface ProfileCpuHooks {
  signal?: AbortSignal;
  heartbeat?: (d: unknown) => void;
  artifactsDir?: string; // default: PERF_ARTIFACTS_DIR or reports/profiles
  policy?: Pick<OperatorPolicy, 'targetHosts'>; // the operator's hosts (default: loopback only)
}

const ELD_KEY = 'Symbol.for("perf-orchestrator.eventLoopDelay")';
const LOAD_BUILTIN =
  '(n) => typeof process.getBuiltinModule === "function" ? process.getBuiltinModule(n)' +
  ' : typeof require === "function" ? require(n) : process.mainModule.require(n)';

const ELD_RESOLUTION_MS = 10;

/** Starts a 10 ms-resolution event-loop delay histogram in the target (replacing a leftover one). */
export const EVENT_LOOP_START = `(() => {
  const load = ${LOAD_BUILTIN};
  const key = ${ELD_KEY};
  if (globalThis[key]) globalThis[key].disable();
  const h = load("node:perf_hooks").monitorEventLoopDelay({ resolution: ${ELD_RESOLUTION_MS} });
  h.enable();
  Object.defineProperty(globalThis, key, { value: h, configurable: true, enumerable: false, writable: true });
  return true;
})()`;

/** Reads the histogram (nanoseconds) as milliseconds of delay beyond the timer's period, then disables and removes it. */
export const EVENT_LOOP_READ = `(() => {
  const key = ${ELD_KEY};
  const h = globalThis[key];
  if (!h) return null;
  h.disable();
  delete globalThis[key];
  const ms = (ns) => Math.max(0, Math.round((ns / 1e6 - ${ELD_RESOLUTION_MS}) * 100) / 100);
  if (!(h.count > 0)) return { count: 0 };
  return { count: h.count, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean) };
})()`;

const EVENT_LOOP_STOP = `(() => { const key = ${ELD_KEY}; if (globalThis[key]) { globalThis[key].disable(); delete globalThis[key]; } return true; })()`;

function throwIfCancelled(signal?: AbortSignal): void {
  if (!signal?.aborted) return;
  const reason = signal.reason;
  throw reason instanceof Error ? reason : new Error('cancelled');
}

/** The inspector URL if its host is one the profile allows; a non-retryable failure otherwise. */
export function allowedInspectorUrl(target: TargetProfile, inspectorUrl: string, policy?: Pick<OperatorPolicy, 'targetHosts'>): URL {
  const u = new URL(inspectorUrl);
  const asHttp = new URL(u.href.replace(/^ws(s?):/, 'http$1:'));
  try {
    assertAllowedHost(target, asHttp, 'the inspector', policy);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `refusing to attach to the inspector at ${u.host}: it is not an allowed host of target ${target.name} ` +
        `(the inspector runs any code it is sent). Use the host of http.baseUrl or list it in http.allowedHosts. (${(err as Error).message})`,
      'HostNotAllowed',
    );
  }
  return u;
}

/** A file name for the profile: <target>-<run id>-<UTC time>.cpuprofile (or `ext`), safe on any file system. */
export function profileFileName(targetName: string, runId: string, at: Date = new Date(), ext = '.cpuprofile'): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${safe(targetName)}-${safe(runId)}-${stamp}${ext}`;
}

function emptySummary(inspectorUrl: string, req: ProfileCpuRequest, problems: string[]): CpuProfileSummary {
  return emptyCpuSummary(
    { profiler: 'inspector', inspectorUrl, samplingIntervalUs: req.samplingIntervalUs ?? 1000 },
    req.thresholdPct,
    problems,
  );
}

/**
 * Profiles the target for durationSeconds (after startAfterSeconds). Null when the profile names no
 * inspector. An inspector on a host the profile does not allow is never contacted; that, an
 * inspector that does not answer, or one that drops the connection, gives a summary whose `problems`
 * say so. Not errors: the CPU profile is evidence, not the run's purpose, and a retry after the load
 * window would profile nothing useful. Only cancellation throws.
 */
export async function profileCpu(
  req: ProfileCpuRequest,
  store: ActivityDeps['store'] | undefined,
  hooks: ProfileCpuHooks = {},
): Promise<CpuProfileSummary | null> {
  const inspectorUrl = req.target.process?.inspectorUrl;
  if (!inspectorUrl) return null;
  try {
    allowedInspectorUrl(req.target, inspectorUrl, hooks.policy);
  } catch (err) {
    // Not attached, and said so in the report; the rest of the run goes on (e.g. --base-url moved the
    // target to another host while the profile still names a local inspector).
    return emptySummary(inspectorUrl, req, [`no CPU profile: ${(err as Error).message}`]);
  }
  let session: InspectorSession;
  try {
    session = await InspectorSession.connect(await discoverDebuggerUrl(inspectorUrl, 5000), 5000);
  } catch (err) {
    return emptySummary(inspectorUrl, req, [
      `no CPU profile: the inspector at ${inspectorUrl} does not answer (${(err as Error).message}); start the service with node --inspect=HOST:PORT`,
    ]);
  }
  const w = await profileWindow(session, req, hooks);

  const summary = emptySummary(inspectorUrl, req, w.problems);
  summary.pid = w.pid;
  summary.runtime = w.runtime;
  summary.eventLoopDelayMs = w.eventLoopDelayMs;
  if (w.fromMs !== null) summary.window = { fromMs: w.fromMs, toMs: w.toMs ?? Date.now() };
  if (!w.profile) return summary;
  await keepProfile(w.profile, summary, req, store, hooks);
  return summary;
}

/** What one profiling window gave, and what is still switched on in the target. */
interface ProfileWindow {
  profiling: boolean;
  eventLoop: boolean;
  profile: CpuProfile | null;
  eventLoopDelayMs: EventLoopDelay | null;
  pid: number | null;
  runtime: string | null;
  problems: string[];
  fromMs: number | null; // wall clock while the profiler ran
  toMs: number | null;
}

/**
 * Waits for startAfterSeconds, then profiles (and measures the event-loop delay) for durationSeconds.
 * Failures become problems (cancellation throws); the target is left as it was, and the session closed.
 */
async function profileWindow(session: InspectorSession, req: ProfileCpuRequest, hooks: ProfileCpuHooks): Promise<ProfileWindow> {
  const { signal, heartbeat } = hooks;
  const intervalUs = Math.max(50, Math.round(req.samplingIntervalUs ?? 1000));
  const durationMs = Math.max(0, req.durationSeconds) * 1000;
  const w: ProfileWindow = {
    profiling: false,
    eventLoop: false,
    profile: null,
    eventLoopDelayMs: null,
    pid: null,
    runtime: null,
    problems: [],
    fromMs: null,
    toMs: null,
  };
  try {
    const startAfterMs = Math.max(0, req.startAfterSeconds ?? 0) * 1000;
    for (let waited = 0; waited < startAfterMs; waited += 1000) {
      heartbeat?.({ phase: 'waiting', seconds: waited / 1000 });
      await sleep(Math.min(1000, startAfterMs - waited), signal);
      throwIfCancelled(signal);
    }
    await identifyProcess(session, w);
    try {
      await session.evaluate(EVENT_LOOP_START);
      w.eventLoop = true;
    } catch (err) {
      w.problems.push(`no event-loop delay: ${(err as Error).message}`);
    }
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.send('Profiler.start');
    w.profiling = true;
    w.fromMs = Date.now();

    const t0 = Date.now();
    for (;;) {
      const elapsed = Date.now() - t0;
      heartbeat?.({ phase: 'profiling', seconds: Math.floor(elapsed / 1000), of: Math.ceil(durationMs / 1000) });
      if (elapsed >= durationMs) break;
      await sleep(Math.min(1000, durationMs - elapsed), signal);
      throwIfCancelled(signal);
      if (session.closed) break;
    }

    w.toMs = Date.now();
    const stopped = await session.send<{ profile?: unknown }>('Profiler.stop', {}, 60_000);
    w.profiling = false;
    if (!isCpuProfile(stopped.profile)) throw new Error('Profiler.stop returned no profile');
    w.profile = stopped.profile;
    if (w.eventLoop) await readEventLoopDelay(session, w);
    await session.send('Profiler.disable').catch(() => undefined);
  } catch (err) {
    if (signal?.aborted) throw err;
    // The target went away or the inspector misbehaved: report it, keep the rest of the run going.
    w.problems.push(`no CPU profile: ${(err as Error).message}`);
  } finally {
    // Leave the target as it was, whatever happened (best effort: it may be gone).
    if (!session.closed) {
      if (w.profiling) await session.send('Profiler.stop', {}, 10_000).catch(() => undefined);
      if (w.eventLoop) await session.evaluate(EVENT_LOOP_STOP, 5_000).catch(() => undefined);
      if (w.profiling) await session.send('Profiler.disable', {}, 5_000).catch(() => undefined);
    }
    await session.close();
  }
  return w;
}

/** The target's pid and Node.js version (a problem when they cannot be read). */
async function identifyProcess(session: InspectorSession, w: ProfileWindow): Promise<void> {
  try {
    const who = await session.evaluate<{ pid?: number; version?: string }>('({ pid: process.pid, version: process.version })');
    w.pid = typeof who?.pid === 'number' ? who.pid : null;
    w.runtime = typeof who?.version === 'string' ? `node ${who.version}` : null;
  } catch (err) {
    w.problems.push(`could not identify the process: ${(err as Error).message}`);
  }
}

/** Reads (and removes) the event-loop delay histogram installed at the start of the window. */
async function readEventLoopDelay(session: InspectorSession, w: ProfileWindow): Promise<void> {
  try {
    const r = await session.evaluate<{ count: number; p50Ms?: number; p99Ms?: number; maxMs?: number; meanMs?: number } | null>(
      EVENT_LOOP_READ,
    );
    w.eventLoop = false;
    if (r && r.count > 0) w.eventLoopDelayMs = { p50Ms: r.p50Ms!, p99Ms: r.p99Ms!, maxMs: r.maxMs!, meanMs: r.meanMs! };
    else w.problems.push('no event-loop delay: the histogram recorded nothing (window too short?)');
  } catch (err) {
    w.problems.push(`no event-loop delay: ${(err as Error).message}`);
  }
}

/** Summarizes the profile into `summary`, writes the .cpuprofile file and saves it in the store (problems when not). */
async function keepProfile(
  profile: CpuProfile,
  summary: CpuProfileSummary,
  req: ProfileCpuRequest,
  store: ActivityDeps['store'] | undefined,
  hooks: ProfileCpuHooks,
): Promise<void> {
  const problems = summary.problems;
  const digest = summarizeCpuProfile(profile, { thresholdPct: req.thresholdPct, top: req.top });
  summary.durationMs = digest.durationMs;
  summary.samples = digest.samples;
  summary.busyPct = digest.busyPct;
  summary.gcPct = digest.gcPct;
  summary.functions = digest.functions;

  const dir = resolve(hooks.artifactsDir ?? (process.env.PERF_ARTIFACTS_DIR || DEFAULT_ARTIFACTS_DIR));
  try {
    await mkdir(dir, { recursive: true });
    const file = join(dir, profileFileName(req.target.name, req.runId));
    await writeFile(file, JSON.stringify(profile));
    summary.file = file;
  } catch (err) {
    problems.push(`the .cpuprofile file could not be written in ${dir}: ${(err as Error).message} (set PERF_ARTIFACTS_DIR)`);
  }
  if (store) {
    try {
      summary.artifactId = await saveArtifact(store, req.runId, 'cpuprofile', profile);
    } catch (err) {
      problems.push(`the profile could not be saved in the store: ${(err as Error).message}`);
    }
  }
}

export function createCpuProfileActivities(deps: ActivityDeps) {
  return {
    /** CPU profile + event-loop delay of a Node.js target over the load window; null without process.inspectorUrl. */
    async profileCpu(req: ProfileCpuRequest): Promise<CpuProfileSummary | null> {
      const ctx = activityContext();
      const inspectorUrl = req.target.process?.inspectorUrl;
      const attempt = ctx?.info.attempt ?? 1;
      const now = Date.now();
      const fromMs = attempt > 1 && req.window ? req.window.measureFromMs : now + (req.startAfterSeconds ?? 0) * 1000;
      const span = retrySpan(attempt, now, req.window, { fromMs, durationMs: req.durationSeconds * 1000 });
      if (!span.sample) return inspectorUrl ? { ...emptySummary(inspectorUrl, req, [span.reason]), notMeasured: span.reason } : null;
      const windowed = { ...req, startAfterSeconds: span.startAfterMs / 1000, durationSeconds: span.durationMs / 1000 };
      return profileCpu(windowed, deps.store, {
        signal: ctx?.cancellationSignal,
        heartbeat: ctx ? (d) => ctx.heartbeat(d) : undefined,
        policy: deps.policy,
      });
    },
  };
}
