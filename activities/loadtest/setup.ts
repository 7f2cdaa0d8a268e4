// What a load test's requests need before the first one is sent: the values of the {{env:NAME}}
// placeholders (read on the worker, under its operator's policy) and, when the profile has setup
// steps, one session per virtual user: the steps sent in order (log in...), the values they extract
// kept for {{setup.name}}. Setup requests are not load: they are not counted in any figure. A step
// that fails stops the test with its status and the step's name; nothing is retried or looped.
// Values are secrets: no message, heartbeat or result holds one.
import { request } from 'undici';
import { ApplicationFailure } from '@temporalio/common';
import type { Endpoint, TargetProfile } from '../../common/profile';
import { unsafeHeaderValue } from '../../common/request-text';
import { setupStepLabel } from '../../common/setup-step';
import { envReferences } from '../../common/template-placeholders';
import { Scenario, NO_TRAFFIC_CONTEXT, type TrafficContext } from './scenario';
import { extractAll, type SetupAnswer } from './setup-extract';
import type { ActivityDeps } from '../deps';
import { assertAllowedHost } from '../http/allowed-host';

/** Open model: connections share this many sessions (round robin); closed: one per virtual user. */
export const OPEN_MODEL_SESSIONS = 32;
/** The whole setup phase of one load test may take this long. */
export const SETUP_MAX_SECONDS = 30;
const SETUP_PARALLEL = 8;
const MAX_SESSIONS = 10_000; // the engine's connection limit
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface PrepareOptions {
  /** Reads an environment variable the profile names, under the operator's policy (TargetConnections.resolveSecret). */
  resolveEnv?: (name: string, where: string) => string;
  /** http.baseUrl (or the replica loaded), its host already checked. */
  base: URL;
  /** Virtual users to log in. */
  sessions: number;
  requestTimeoutMs: number;
  signal?: AbortSignal;
  onSession?: (done: number, total: number) => void;
}

/** The worker's {{env:NAME}} reader for `target`: the operator's policy, and never a connection string. */
export function workerEnv(
  deps: Pick<ActivityDeps, 'connections'>,
  target: Pick<TargetProfile, 'name'>,
): (name: string, where: string) => string {
  return (name, where) => deps.connections.resolveSecret(target, name, `${where}: {{env:${name}}}`, 'token');
}

/** prepareTraffic in an activity: the worker's secrets and hosts, http.baseUrl, the profile's request timeout. */
export function prepareOnWorker(
  deps: Pick<ActivityDeps, 'connections' | 'policy'>,
  target: TargetProfile,
  o: Pick<PrepareOptions, 'sessions' | 'signal' | 'onSession'>,
): Promise<TrafficContext> {
  return prepareTraffic(target, {
    ...o,
    resolveEnv: workerEnv(deps, target),
    base: assertAllowedHost(target, target.http.baseUrl, 'a setup request', deps.policy),
    requestTimeoutMs: target.load.requestTimeoutMs,
  });
}

/** How many sessions a load test makes: one per virtual user (closed), a shared few (open). */
export function sessionsFor(model: 'closed' | 'open', concurrency: number, maxConnections?: number): number {
  return model === 'closed' ? concurrency : Math.min(maxConnections ?? OPEN_MODEL_SESSIONS, OPEN_MODEL_SESSIONS);
}

/** Whether the profile's requests need anything from the worker before they can be sent. */
export function needsPreparation(target: TargetProfile): boolean {
  return envReferences(target).length > 0 || (target.http.setup?.length ?? 0) > 0;
}

/** The {{env:NAME}} values; a value that would break a header is refused naming the variable, not the value. */
export function resolveEnvValues(target: TargetProfile, resolveEnv: PrepareOptions['resolveEnv']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ref of envReferences(target)) {
    if (ref.name in env) continue;
    if (!resolveEnv) {
      throw ApplicationFailure.nonRetryable(
        `${ref.path.join('.')}: {{env:${ref.name}}} is read on the worker, and this load was started without the worker's secrets`,
        'BadLoadTestInput',
      );
    }
    const value = resolveEnv(ref.name, ref.path.join('.'));
    const unsafe = unsafeHeaderValue(value);
    if (unsafe) {
      throw ApplicationFailure.nonRetryable(
        `${ref.path.join('.')}: the value of ${ref.name} (on the worker) ${unsafe.replace(/; remove it$/, '')}; ` +
          `fix the variable where the worker runs`,
        'BadSecretValue',
      );
    }
    env[ref.name] = value;
  }
  return env;
}

function stepEndpoint(step: NonNullable<TargetProfile['http']['setup']>[number], i: number): Endpoint {
  const { extract: _, name, ...request } = step;
  return { ...request, name: name ?? `setup-${i + 1}`, weight: 1, cacheable: false };
}

function setupFailure(message: string): never {
  throw ApplicationFailure.nonRetryable(`${message}; the load test did not start`, 'SetupFailed');
}

async function readAnswer(res: Awaited<ReturnType<typeof request>>): Promise<SetupAnswer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      res.body.destroy();
      break;
    }
    chunks.push(chunk as Buffer);
  }
  return { status: res.statusCode, headers: res.headers as SetupAnswer['headers'], body: Buffer.concat(chunks).toString('utf8') };
}

/** The {{env:}} values and, with setup steps, one logged-in session per virtual user. */
export async function prepareTraffic(target: TargetProfile, opts: PrepareOptions): Promise<TrafficContext> {
  if (!needsPreparation(target)) return NO_TRAFFIC_CONTEXT;
  const env = resolveEnvValues(target, opts.resolveEnv);
  const steps = target.http.setup ?? [];
  const setupNames = steps.flatMap((s) => Object.keys(s.extract));
  if (steps.length === 0) return { env, setupNames, sessions: [] };

  const n = Math.min(Math.max(1, Math.floor(opts.sessions) || 1), MAX_SESSIONS);
  const sessions: Record<string, string>[] = Array.from({ length: n }, () => ({}));
  const ctx: TrafficContext = { env, setupNames, sessions };
  const basePath = opts.base.pathname.replace(/\/+$/, '');
  const scenarios = steps.map((s, i) => new Scenario([stepEndpoint(s, i)], basePath, Math.random, opts.base.host, ctx));
  const deadline = AbortSignal.timeout(SETUP_MAX_SECONDS * 1000);
  const failed = new AbortController(); // the first failure stops the other virtual users' setup
  const signal = AbortSignal.any([deadline, failed.signal, ...(opts.signal ? [opts.signal] : [])]);

  const login = async (k: number): Promise<void> => {
    for (const [i, step] of steps.entries()) {
      const label = `${setupStepLabel(step, i)} (virtual user ${k + 1} of ${n})`;
      const r = scenarios[i].next(k);
      let answer: SetupAnswer;
      try {
        const res = await request(opts.base.origin + r.path, {
          method: r.method,
          headers: r.headers,
          body: r.body,
          headersTimeout: opts.requestTimeoutMs,
          bodyTimeout: opts.requestTimeoutMs,
          signal,
        });
        answer = await readAnswer(res);
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : err;
        const why = deadline.aborted ? `the setup took more than ${SETUP_MAX_SECONDS} s` : (err as Error).message;
        return setupFailure(`${label}: ${step.method} ${step.path} failed: ${why}`);
      }
      if (!step.expectStatus.includes(answer.status)) {
        setupFailure(`${label}: ${step.method} ${step.path} answered ${answer.status} (expected ${step.expectStatus.join(' or ')})`);
      }
      const got = extractAll(answer, step.extract);
      if ('failed' in got) setupFailure(`${label}: cannot extract ${got.failed.name}: ${got.failed.problem}`);
      else Object.assign(sessions[k], got.values);
    }
  };

  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < n && !failed.signal.aborted) {
      const k = next++;
      await login(k).catch((err: unknown) => {
        failed.abort();
        throw err;
      });
      opts.onSession?.(++done, n);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETUP_PARALLEL, n) }, worker));
  return ctx;
}
