// pg_stat_activity sampled while the load window runs: sessions, waits, locks and long transactions
// of the target's database. An activity of its own beside the load test (it heartbeats each sample
// and stops on cancel); the samples go to the store and profileDatabase reads them by id.
import type { Pool, PoolClient } from 'pg';
import { retrySpan, type PlannedWindow, type SampleWindow } from '../../common/load-window';
import type { TargetProfile } from '../../common/profile';
import { activityContext, sleep } from '../activity-context';
import type { ActivityDeps } from '../deps';
import { ensureParser } from '../postgres/sql-parse';
import { sampleActivity } from '../postgres/stat-views';
import type { ActivitySample } from '../postgres/statistics';
import { saveArtifact } from '../store/artifacts';

export const DB_ACTIVITY_KIND = 'db-activity-samples';

export interface SampleDatabaseActivityRequest {
  runId: string;
  target: TargetProfile;
  durationSeconds: number;
  intervalMs?: number;
  /** The load window the samples belong to: a retry samples only what is left of it. */
  window?: PlannedWindow;
}

export interface DatabaseActivitySamples {
  artifactId: string | null;
  samples: number;
  /** Samples that failed (the target busy or restarting); a missed sample is not a failure. */
  missed: number;
  window?: SampleWindow; // what the samples cover (wall clock)
  notMeasured?: string; // a retry after the load window: nothing sampled, and why
}

const MAX_SAMPLES = 2_000;
/** Distinct literal-bearing texts kept over the window (each at most 4,000 characters): the artifact stays small. */
const MAX_LITERAL_TEXTS = 500;

/** The sample with only the literal texts not seen before in the window, while fewer than MAX_LITERAL_TEXTS were kept. */
export function keepNewLiterals(sample: ActivitySample, seen: Set<string>): ActivitySample {
  const fresh: string[] = [];
  for (const t of sample.literals ?? []) {
    if (seen.has(t) || seen.size >= MAX_LITERAL_TEXTS) continue;
    seen.add(t);
    fresh.push(t);
  }
  return { ...sample, literals: fresh };
}
const SAMPLE_TIMEOUT_MS = 2_000;

/** Samples every `intervalMs` for `durationSeconds` (at most MAX_SAMPLES), until `signal` aborts. */
export async function sampleDatabaseActivity(
  pool: Pool,
  durationSeconds: number,
  intervalMs: number,
  opts: { signal?: AbortSignal; onSample?: (n: number) => void } = {},
): Promise<{ samples: ActivitySample[]; missed: number }> {
  await ensureParser(); // normalizes the sampled query texts
  // One session for the window, each sample bounded: a hung catalog read must not stall the sampler.
  const client = await pool.connect();
  try {
    await client.query(`SET statement_timeout = ${SAMPLE_TIMEOUT_MS}; SET lock_timeout = ${SAMPLE_TIMEOUT_MS}`);
    return await sampleLoop(client, durationSeconds, intervalMs, opts);
  } finally {
    const broken = await client
      .query('RESET statement_timeout; RESET lock_timeout')
      .then(() => false)
      .catch(() => true);
    client.release(broken);
  }
}

async function sampleLoop(
  client: PoolClient,
  durationSeconds: number,
  intervalMs: number,
  opts: { signal?: AbortSignal; onSample?: (n: number) => void },
): Promise<{ samples: ActivitySample[]; missed: number }> {
  const samples: ActivitySample[] = [];
  const literals = new Set<string>();
  let missed = 0;
  const end = Date.now() + durationSeconds * 1000;
  while (Date.now() < end && samples.length < MAX_SAMPLES && !opts.signal?.aborted) {
    const started = Date.now();
    try {
      samples.push(keepNewLiterals(await sampleActivity(client), literals));
    } catch {
      missed++;
    }
    opts.onSample?.(samples.length);
    await sleep(Math.max(0, Math.min(intervalMs - (Date.now() - started), end - Date.now())), opts.signal);
  }
  return { samples, missed };
}

export function createDatabaseActivitySampler(deps: ActivityDeps) {
  return {
    async sampleDatabaseActivity(req: SampleDatabaseActivityRequest): Promise<DatabaseActivitySamples> {
      if (!req.target.database) return { artifactId: null, samples: 0, missed: 0 };
      const ctx = activityContext();
      const now = Date.now();
      const span = retrySpan(ctx?.info.attempt ?? 1, now, req.window, { fromMs: now, durationMs: req.durationSeconds * 1000 });
      if (!span.sample) return { artifactId: null, samples: 0, missed: 0, notMeasured: span.reason };
      const { samples, missed } = await sampleDatabaseActivity(
        deps.connections.database(req.target),
        span.durationMs / 1000,
        req.intervalMs ?? 500,
        {
          signal: ctx?.cancellationSignal,
          onSample: (n) => ctx?.heartbeat({ samples: n }),
        },
      );
      if (ctx?.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
      const window = { fromMs: now, toMs: Date.now() };
      const artifactId = samples.length ? await saveArtifact(deps.store, req.runId, DB_ACTIVITY_KIND, samples) : null;
      return { artifactId, samples: samples.length, missed, window };
    },
  };
}
