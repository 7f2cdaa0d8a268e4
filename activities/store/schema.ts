// The store: perf-orchestrator's own PostgreSQL schema. Created on start, idempotent.
import type { Pool } from 'pg';

export const STORE_SCHEMA = 'perf_orchestrator';

const DDL = `
CREATE SCHEMA IF NOT EXISTS ${STORE_SCHEMA};
CREATE TABLE IF NOT EXISTS ${STORE_SCHEMA}.runs (
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  target text NOT NULL,
  status text NOT NULL,
  input jsonb NOT NULL,
  result jsonb,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (workflow_id, run_id)
);
CREATE TABLE IF NOT EXISTS ${STORE_SCHEMA}.artifacts (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL,
  kind text NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS artifacts_run_id_kind_idx ON ${STORE_SCHEMA}.artifacts (run_id, kind);
CREATE TABLE IF NOT EXISTS ${STORE_SCHEMA}.escalations (
  id bigserial PRIMARY KEY,
  workflow_id text NOT NULL,
  target text NOT NULL,
  reason text NOT NULL,
  details jsonb NOT NULL,
  status text NOT NULL DEFAULT 'open',
  notes jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- A target's reference measurement for the CI gate (perf-orch check): the load test's summary with
-- its per-second series and the full result (histograms), copied so that it outlives its artifact.
CREATE TABLE IF NOT EXISTS ${STORE_SCHEMA}.baselines (
  id bigserial PRIMARY KEY,
  target text NOT NULL,
  source text NOT NULL,
  summary jsonb NOT NULL,
  histograms jsonb,
  pinned boolean NOT NULL DEFAULT true,
  note text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS baselines_target_idx ON ${STORE_SCHEMA}.baselines (target, created_at);
-- Each perf-orch check (CLI, CI or a scheduled watch) with its verdict: the trend and the
-- "last N passing checks" comparison read them back.
CREATE TABLE IF NOT EXISTS ${STORE_SCHEMA}.checks (
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  target text NOT NULL,
  verdict text NOT NULL,
  result jsonb NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, run_id)
);
-- CI files perf-orch ci init wrote for a target (the path as the user's repository names it).
CREATE TABLE IF NOT EXISTS ${STORE_SCHEMA}.ci_files (
  id bigserial PRIMARY KEY,
  target text NOT NULL,
  provider text NOT NULL,
  path text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS checks_target_idx ON ${STORE_SCHEMA}.checks (target, finished_at);
-- Each delivery attempt of a notification (escalation, failed check, rollback) to a notifier of the
-- profile: the JSON sent, where (the URL without credentials, query or fragment) and the answer.
CREATE TABLE IF NOT EXISTS ${STORE_SCHEMA}.notifications (
  id bigserial PRIMARY KEY,
  notification_id text NOT NULL,
  workflow_id text NOT NULL,
  target text NOT NULL,
  event text NOT NULL,
  notifier_kind text NOT NULL,
  url text NOT NULL,
  status text NOT NULL,
  http_status integer,
  error text,
  body jsonb,
  attempt integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS notifications_target_idx ON ${STORE_SCHEMA}.notifications (target, created_at);
`;

export async function migrateStore(pool: Pool): Promise<void> {
  // Two workers starting at once must not race on CREATE ... IF NOT EXISTS.
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(7262001)');
    await client.query(DDL);
  } finally {
    await client.query('SELECT pg_advisory_unlock(7262001)').catch(() => undefined);
    client.release();
  }
}
