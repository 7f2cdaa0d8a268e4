// Pre-checks: can the worker reach everything the profile names? Answers before any load is sent.
import { request } from 'undici';
import type { ActivityDeps } from './deps';
import { ApplicationFailure } from '@temporalio/common';
import type { TargetProfile } from '../common/profile';
import { revalidate } from './target-check';
import { formatPolicyIssues, policyIssues } from '../common/policy-check';
import type { TargetConnections } from './connections';
import { round } from '../common/round';
import { assertAllowedHost } from './http/allowed-host';
import { networkProbeUrl } from './profiling/network';
import type { PrecheckResult } from '../common/types';
import { newYorkTimestamp } from './timestamp';
import { resolveEnvValues, workerEnv } from './loadtest/setup';

/**
 * The operator's policy, before anything is sent: hosts, the variables the profile names, its limits
 * and the load it plans; then the toggles' tokens and the {{env:}} values are read (on the worker) to
 * refuse a missing one, a connection string named as a token, or a value that would break a header.
 */
function checkPolicy(target: TargetProfile, deps: Pick<ActivityDeps, 'policy'>, connections: TargetConnections): void {
  const issues = policyIssues(target, deps.policy);
  if (issues.length) throw ApplicationFailure.nonRetryable(formatPolicyIssues(target.name, issues), 'OperatorPolicy');
  for (const t of target.actions.featureToggles) {
    if (t.tokenEnv) connections.resolveSecret(target, t.tokenEnv, `actions.featureToggles ${t.name}: tokenEnv`, 'token');
  }
  resolveEnvValues(target, workerEnv({ connections }, target));
}

export function createPrecheckActivities({ connections, policy }: ActivityDeps) {
  return {
    async precheck(target: TargetProfile): Promise<PrecheckResult> {
      revalidate(target);
      checkPolicy(target, { policy }, connections);
      const { url, headers } = networkProbeUrl(target);
      assertAllowedHost(target, url, 'the pre-check request', policy);
      const started = performance.now();
      let http: PrecheckResult['http'];
      try {
        const res = await request(url, { method: 'GET', headers, headersTimeout: 10_000, bodyTimeout: 10_000 });
        await res.body.dump();
        http = { ok: res.statusCode < 500, status: res.statusCode, latencyMs: round(performance.now() - started) };
      } catch (err) {
        // Retryable: the target may still be starting.
        throw new Error(`target ${target.name} does not answer at ${url.origin} (${(err as Error).message}); is it running?`, {
          cause: err,
        });
      }
      if (!http.ok) throw new Error(`target ${target.name} answered ${http.status} at ${url}; fix the service or the endpoint path`);

      let database: PrecheckResult['database'] = null;
      if (target.database) {
        const pool = connections.database(target);
        const { rows } = await pool.query(
          `SELECT current_setting('server_version') AS version,
                  current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%' AS pgss,
                  EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS hypopg`,
        );
        const problems: string[] = [];
        if (!rows[0].pgss)
          problems.push(
            'pg_stat_statements is not in shared_preload_libraries: ' +
              "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; restart PostgreSQL; " +
              'CREATE EXTENSION pg_stat_statements',
          );
        if (!rows[0].hypopg)
          problems.push('hypopg is not installed (Debian: apt-get install postgresql-15-hypopg); index advice will not be verified');
        database = { ok: true, version: rows[0].version, pgStatStatements: rows[0].pgss, hypopg: rows[0].hypopg, problems };
      }

      let redis: PrecheckResult['redis'] = null;
      if (target.redis) {
        const client = connections.cache(target);
        if (client.status === 'wait') await client.connect();
        const info = await client.info('server');
        redis = { ok: true, version: /redis_version:(\S+)/.exec(info)?.[1] };
      }
      return { http, database, redis, timestamp: newYorkTimestamp() };
    },
  };
}
