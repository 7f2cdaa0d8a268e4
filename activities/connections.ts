// Connections to a target's PostgreSQL and Redis. Profiles name environment variables; the URLs
// (which may hold passwords) are resolved here, on the worker, and never leave it. A target reads
// only the variables the worker operator's policy gives it (the pre-check refuses the rest first).
import { ApplicationFailure } from '@temporalio/common';
import { Pool } from 'pg';
import Redis from 'ioredis';
import { looksLikeConnectionUrl, parseOperatorPolicy, secretRefusal, type OperatorPolicy } from '../common/operator-policy';
import type { TargetProfile } from '../common/profile';

/** How a secret is used: to connect (a URL the worker dials) or as a token sent to the target in a header. */
export type SecretUse = 'connection' | 'token';

export class TargetConnections {
  private pools = new Map<string, Pool>();
  private redis = new Map<string, Redis>();

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    readonly policy: OperatorPolicy = parseOperatorPolicy(env),
  ) {}

  /**
   * Resolves an env var named by the profile of `target`, if the operator's policy lets that target
   * read it; a missing one is bad input, not a transient fault. A token is never a connection string.
   */
  resolveSecret(target: Pick<TargetProfile, 'name'>, name: string, what: string, use: SecretUse = 'connection'): string {
    const refusal = secretRefusal(this.policy, target.name, name);
    if (refusal) throw ApplicationFailure.nonRetryable(`${what}: refusing to read ${name}: ${refusal}`, 'SecretNotAllowed');
    const value = this.env[name];
    if (!value) {
      throw ApplicationFailure.nonRetryable(
        `${what}: environment variable ${name} is not set on the worker. Set it where the worker runs (e.g. export ${name}=...) and start the run again.`,
        'MissingSecret',
      );
    }
    if (use === 'token' && looksLikeConnectionUrl(value)) {
      throw ApplicationFailure.nonRetryable(
        `${what}: refusing to send ${name} to the target as a token: its value is a URL (scheme://...), a connection string, ` +
          `not a token. Name the variable that holds the toggle API's token.`,
        'SecretNotAllowed',
      );
    }
    return value;
  }

  database(target: TargetProfile): Pool {
    if (!target.database) throw ApplicationFailure.nonRetryable(`target ${target.name} has no database section`, 'BadProfile');
    const url = this.resolveSecret(target, target.database.urlEnv, `database of target ${target.name}`);
    let pool = this.pools.get(url);
    if (!pool) {
      pool = new Pool({ connectionString: url, max: 4, application_name: 'perf-orchestrator' });
      pool.on('error', () => undefined); // idle client errors surface on the next query instead
      this.pools.set(url, pool);
    }
    return pool;
  }

  cache(target: TargetProfile): Redis {
    if (!target.redis) throw ApplicationFailure.nonRetryable(`target ${target.name} has no redis section`, 'BadProfile');
    const url = this.resolveSecret(target, target.redis.urlEnv, `redis of target ${target.name}`);
    let client = this.redis.get(url);
    if (!client) {
      client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
      client.on('error', () => undefined);
      this.redis.set(url, client);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.end()));
    for (const r of this.redis.values()) r.disconnect();
    this.pools.clear();
    this.redis.clear();
  }
}
