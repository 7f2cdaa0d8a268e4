// The per-endpoint attribution pass: a quiet probe (what the database runs while nothing is sent),
// then for each endpoint alone, one request at a time, two halves of its requests between three
// pg_stat_statements snapshots. The whole pass's difference is the endpoint's statements; the halves
// check each other. Retried from the start; heartbeats name the endpoint being measured.
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import {
  ATTRIBUTION_DEFAULTS,
  backgroundOf,
  exactnessFlags,
  perRequestFigures,
  type AttributionResult,
  type EndpointAttribution,
} from '../../common/endpoint-attribution';
import type { Endpoint as EndpointConfig, TargetProfile } from '../../common/profile';
import { effectiveLimits } from '../../common/run-budget';
import { activityContext, sleep } from '../activity-context';
import type { ActivityDeps } from '../deps';
import { runLoad, type LoadResult } from '../loadtest/load';
import type { TrafficContext } from '../loadtest/scenario';
import { needsPreparation, prepareOnWorker } from '../loadtest/setup';
import { mergeLoadResults } from '../loadtest/merge';
import { requestsSentByRun } from '../loadtest/run-budget';
import { readPgStatStatements, readPgssDeallocations } from '../postgres/stat-views';
import { diffSnapshots, type PgssRow, type StatementDelta } from '../postgres/statistics';
import { saveArtifact } from '../store/artifacts';
import { recordCreatedExtension } from '../postgres/created-extensions';
import type { CreatedExtension } from '../../common/types';
import { mulberry32 } from '../../common/seeded-random';
import { Scenario } from '../loadtest/scenario';

export const ATTRIBUTION_KIND = 'endpoint-attribution';

export interface AttributeEndpointsRequest {
  runId: string;
  target: TargetProfile;
  phase: AttributionResult['phase'];
}

/** The stored artifact: every statement of every pass, and the requests sent (counted in the run's budget). */
export interface AttributionArtifact {
  result: Omit<AttributionResult, 'artifactId'>;
  statements: Record<string, StatementDelta[]>;
  requestsSent: number;
  /**
   * Each endpoint's seed: both halves drew their {{...}} values from mulberry32(seed), so a hand count
   * can send the same requests (drawnRequestLines). Absent in artifacts stored before it was kept.
   */
  seeds?: Record<string, number>;
}

type Snap = () => Promise<PgssRow[] | null>;

function settings(target: TargetProfile) {
  const a = target.load.attribution;
  return {
    requests: a?.requests ?? ATTRIBUTION_DEFAULTS.requests,
    maxSeconds: a?.maxSecondsPerEndpoint ?? ATTRIBUTION_DEFAULTS.maxSecondsPerEndpoint,
  };
}

async function requestsLeft(deps: ActivityDeps, req: AttributeEndpointsRequest): Promise<number> {
  const { limits } = effectiveLimits(deps.policy, req.target);
  return limits.maxRunRequests - (await requestsSentByRun(deps.store, req.runId));
}

function sendHalf(p: PassInput, requests: number, seconds: number, seed: number) {
  const { deps, target, ep } = p;
  const ctx = activityContext();
  return runLoad({
    policy: deps.policy,
    context: p.context,
    target: { ...target, http: { ...target.http, endpoints: [ep] } },
    model: 'closed',
    concurrency: 1,
    thinkTimeMs: 0,
    durationSeconds: seconds,
    warmupSeconds: 0,
    maxRequests: requests,
    rng: mulberry32(seed),
    signal: ctx?.cancellationSignal,
    // Every second while the endpoint is loaded: a slow one may take up to maxSecondsPerEndpoint.
    onProgress: (p) => ctx?.heartbeat({ step: 'endpoint', endpoint: ep.name, requests: p.requests }),
  });
}

function abortedOut(signal: AbortSignal | undefined): never {
  const reason = signal?.reason;
  if (reason instanceof Error) throw reason;
  throw ApplicationFailure.retryable('endpoint attribution aborted', 'AttributionAborted');
}

interface PassInput {
  deps: ActivityDeps;
  target: TargetProfile;
  ep: EndpointConfig;
  requests: number;
  maxSeconds: number;
  snap: Snap;
  evictions: () => Promise<number | null>;
  background: AttributionResult['background'];
  signal?: AbortSignal;
  /** {{env:}} values and one setup session, made before the quiet probe: setup is not the endpoint's work. */
  context: TrafficContext;
}

/** One endpoint's pass: its figures, its statements, and the requests it sent. */
async function measureEndpoint(
  p: PassInput,
): Promise<{ figures: EndpointAttribution; deltas: StatementDelta[]; sent: number; seed: number }> {
  const first = Math.ceil(p.requests / 2);
  // Both halves draw the same {{...}} values in the same order: an endpoint whose work depends on
  // them (a page of one author's articles) must not read as "halves disagree".
  const seed = Math.floor(Math.random() * 2 ** 32);
  const evictedBefore = await p.evictions();
  const s0 = await p.snap();
  const startMs = Date.now();
  const a = await sendHalf(p, first, p.maxSeconds / 2, seed);
  const s1 = await p.snap();
  const b = a.aborted ? a : await sendHalf(p, p.requests - first, p.maxSeconds / 2, seed);
  const s2 = await p.snap();
  const evictedAfter = await p.evictions();
  if (a.aborted || b.aborted) abortedOut(p.signal);
  const passSeconds = (Date.now() - startMs) / 1000;
  const all: LoadResult = mergeLoadResults([a, b]);
  const answered = (r: LoadResult) => r.requests;
  const e = all.endpoints[0];
  const latencyMs = { p50: e.latencyMs.p50, p95: e.latencyMs.p95, p99: e.latencyMs.p99, mean: e.latencyMs.mean };
  const base = { endpoint: p.ep.name, requests: all.requests, errors: all.errors, latencyMs };
  const sent = all.requests + all.unfinished;
  if (!s0 || !s1 || !s2) {
    const figures: EndpointAttribution = {
      ...base,
      ...{ statementsPerRequest: null, dbMsPerRequest: null, rowsPerRequest: null, topStatements: [], halves: null },
      // Latency alone is exact; without a database there is nothing else to attribute.
      exact: !p.target.database,
      flags: p.target.database ? ['no database figures: pg_stat_statements could not be read (see problems)'] : [],
    };
    return { figures, deltas: [], sent, seed };
  }
  const deltas = diffSnapshots(s0, s2);
  const check = exactnessFlags({
    requests: all.requests,
    errors: all.errors,
    unfinished: all.unfinished,
    firstHalf: { deltas: diffSnapshots(s0, s1), requests: answered(a) },
    secondHalf: { deltas: diffSnapshots(s1, s2), requests: answered(b) },
    passSeconds,
    background: p.background,
    evictions: evictedBefore === null || evictedAfter === null ? null : evictedAfter - evictedBefore,
  });
  const figures: EndpointAttribution = {
    ...base,
    ...perRequestFigures(deltas, all.requests),
    halves: check.halves,
    exact: check.flags.length === 0,
    flags: check.flags,
  };
  return { figures, deltas, sent, seed };
}

/** The request lines (`GET /path?...`) one half of a pass sent, in order, from the endpoint's stored seed. */
export function drawnRequestLines(target: TargetProfile, endpointName: string, seed: number, requests: number): string[] {
  const ep = target.http.endpoints.find((e) => e.name === endpointName);
  if (!ep) throw new Error(`target ${target.name} has no endpoint ${endpointName}`);
  const base = new URL(target.http.baseUrl);
  // As runLoad builds it: the same templates, base path and generator give the same draws.
  const scenario = new Scenario([ep], base.pathname.replace(/\/+$/, ''), mulberry32(seed), base.host);
  return Array.from({ length: requests }, () =>
    scenario
      .nextWire()
      .data.toString('latin1')
      .split('\r\n', 1)[0]
      .replace(/ HTTP\/1\.1$/, ''),
  );
}

function snapper(pool: Pool | null, problems: string[], record: (x: CreatedExtension) => Promise<unknown>): Snap {
  return async () => {
    if (!pool) return null;
    const read = await readPgStatStatements(pool);
    if (read.created) await record({ name: 'pg_stat_statements', ...read.created });
    if (!read.ok) {
      if (!problems.length) problems.push(...read.problems);
      return null;
    }
    return read.rows;
  };
}

async function attributeEndpoints(deps: ActivityDeps, req: AttributeEndpointsRequest): Promise<AttributionResult> {
  const ctx = activityContext();
  const signal = ctx?.cancellationSignal;
  const { requests, maxSeconds } = settings(req.target);
  const problems: string[] = [];
  if (!req.target.database) problems.push(`target ${req.target.name} has no database section: latency only`);
  const pool = req.target.database ? deps.connections.database(req.target) : null;
  const snap = snapper(pool, problems, (x) => recordCreatedExtension(deps.store, req.runId, x));
  const evictions = async () => (pool ? readPgssDeallocations(pool) : null);
  const endpoints = req.target.http.endpoints;
  const left = await requestsLeft(deps, req);
  const perEndpoint = Math.min(requests, Math.floor(left / endpoints.length));
  const empty = { phase: req.phase, requestsPerEndpoint: 0, concurrency: 1 as const, background: null, endpoints: [], artifactId: null };
  if (perEndpoint < 2) return { ...empty, problems: [`not measured: the run's request budget has ${left} requests left`] };

  if (needsPreparation(req.target)) ctx?.heartbeat({ step: 'setup' });
  const context = await prepareOnWorker(deps, req.target, { sessions: 1, signal });
  ctx?.heartbeat({ step: 'quiet probe' });
  const q0 = await snap();
  const quietStart = Date.now();
  await sleep(ATTRIBUTION_DEFAULTS.quietSeconds * 1000, signal);
  const q1 = await snap();
  if (signal?.aborted) abortedOut(signal);
  const background = q0 && q1 ? backgroundOf(diffSnapshots(q0, q1), (Date.now() - quietStart) / 1000) : null;

  const out: EndpointAttribution[] = [];
  const statements: Record<string, StatementDelta[]> = {};
  const seeds: Record<string, number> = {};
  let sent = 0;
  for (const [i, ep] of endpoints.entries()) {
    ctx?.heartbeat({ step: 'endpoint', endpoint: ep.name, index: i + 1, of: endpoints.length });
    const m = await measureEndpoint({
      deps,
      target: req.target,
      ep,
      requests: perEndpoint,
      maxSeconds,
      snap,
      evictions,
      background,
      signal,
      context,
    });
    out.push(m.figures);
    statements[ep.name] = m.deltas;
    seeds[ep.name] = m.seed;
    sent += m.sent;
  }
  const result = { ...empty, requestsPerEndpoint: perEndpoint, background, endpoints: out, problems };
  const artifact: AttributionArtifact = { result, statements, requestsSent: sent, seeds };
  const artifactId = await saveArtifact(deps.store, req.runId, ATTRIBUTION_KIND, artifact);
  return { ...result, artifactId };
}

export function createEndpointAttributionActivities(deps: ActivityDeps) {
  return { attributeEndpoints: (req: AttributeEndpointsRequest) => attributeEndpoints(deps, req) };
}
