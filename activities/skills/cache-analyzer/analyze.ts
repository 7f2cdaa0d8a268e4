// Cache analyzer: pure decision rules from the target profile, its cache profile and the baseline
// load test to findings. No I/O; unit-tested in test/unit/cache-analyzer.test.ts.
import type { Endpoint, FeatureToggle, TargetProfile } from '../../../common/profile';
import { round } from '../../../common/round';
import type { EndpointSummary, Finding } from '../../../common/types';
import { SOURCE, type CacheEvidence } from './findings';
import { DEFAULT_CACHE_ANALYZER_OPTIONS, type CacheAnalyzerOptions } from './options';
import { effortDays } from '../../../common/rules/effort';

export interface CacheAnalyzerInput extends CacheEvidence {
  target: TargetProfile;
}

const ms = (n: number) => `${round(n, 2)} ms`;

function findToggle(target: TargetProfile, endpoint: string): FeatureToggle | undefined {
  return target.actions.featureToggles.find(
    (t) => t.fixes === 'uncached_endpoint' && (t.endpoints.length === 0 || t.endpoints.includes(endpoint)),
  );
}

/** Request-weighted mean latency of the given endpoints; null when they served no requests. */
function weightedMean(summaries: EndpointSummary[]): number | null {
  const requests = summaries.reduce((s, e) => s + e.requests, 0);
  if (requests === 0) return null;
  return summaries.reduce((s, e) => s + e.latencyMs.mean * e.requests, 0) / requests;
}

function uncachedEndpointFindings({ target, baseline }: CacheAnalyzerInput, o: CacheAnalyzerOptions): Finding[] {
  const byName = new Map(baseline.endpoints.map((e) => [e.name, e]));
  const totalRequests = baseline.endpoints.reduce((s, e) => s + e.requests, 0) || baseline.requests;
  if (totalRequests <= 0) return [];
  const findings: Finding[] = [];

  for (const ep of target.http.endpoints.filter((e: Endpoint) => e.cacheable)) {
    const s = byName.get(ep.name);
    if (!s || s.requests === 0) continue;
    const mean = s.latencyMs.mean;
    if (!(mean > o.expensiveMinMs)) continue;
    // Under a closed-model load every endpoint queues behind the slowest ones, so "slower than the
    // others" says little; any cacheable endpoint above the threshold is worth a cache.
    const others = baseline.endpoints.filter((e) => e.name !== ep.name);
    const othersMean = weightedMean(others);

    const share = s.requests / totalRequests;
    const reduction = round(Math.max(0, (mean - o.cacheHitMs) * share), 2);
    const evidence = [
      `endpoint ${ep.name} (${ep.method} ${ep.path}) is marked cacheable and averaged ${ms(mean)} (p95 ${ms(s.latencyMs.p95)}) in the baseline`,
      othersMean === null
        ? 'it is the only endpoint with traffic'
        : `the other endpoints averaged ${ms(othersMean)}, so it is ${round(mean / Math.max(othersMean, 0.001), 2)}x as expensive`,
      `it served ${s.requests} of ${totalRequests} requests (${round(share * 100, 2)}%); ` +
        `a cache hit at ~${o.cacheHitMs} ms saves ~${ms(reduction)} per request over all traffic`,
    ];
    const toggle = findToggle(target, ep.name);
    if (toggle) {
      const shared = target.http.endpoints
        .filter((e) => e.name !== ep.name && e.cacheable && (toggle.endpoints.length === 0 || toggle.endpoints.includes(e.name)))
        .map((e) => e.name);
      evidence.push(
        `feature toggle ${toggle.name} fixes uncached_endpoint for ${toggle.endpoints.length ? toggle.endpoints.join(', ') : 'all endpoints'}` +
          (shared.length ? ` (it also affects ${shared.join(', ')})` : ''),
      );
      findings.push({
        id: `cache-${ep.name}`,
        layer: 'caching',
        rootCause: 'uncached_endpoint',
        title: `Serve ${ep.name} from the cache by setting toggle ${toggle.name} to ${JSON.stringify(toggle.enabledValue)}`,
        evidence,
        estimatedLatencyReductionMs: reduction,
        effortDays: toggle.effortDays ?? effortDays('feature_toggle'),
        risk: 'low',
        action: { type: 'feature_toggle', toggle: toggle.name, value: toggle.enabledValue },
        rollback: `set toggle ${toggle.name} back to its previous value`,
        source: SOURCE,
      });
    } else {
      evidence.push('no feature toggle of the profile fixes uncached_endpoint for this endpoint, so the change is manual');
      findings.push({
        id: `cache-${ep.name}`,
        layer: 'caching',
        rootCause: 'uncached_endpoint',
        title: `Add a read-through cache to ${ep.name}`,
        evidence,
        estimatedLatencyReductionMs: reduction,
        effortDays: effortDays('cache_aside'),
        risk: 'medium',
        action: {
          type: 'manual',
          steps: [
            `Wrap the handler of ${ep.method} ${ep.path} in a read-through cache: ` +
              `GET the key from Redis, on a miss compute the answer, SET it with EX <ttl> and return it`,
            'Choose a TTL that matches how stale the answer may be (start with 30-60 s) and add jitter so keys do not expire together',
            `Name keys by service, endpoint, version and the parameters that change the answer, ` +
              `e.g. ${target.name}:${ep.name}:v1:<params>; bump the version when the format changes`,
            'Invalidate on writes: DEL (or UNLINK) the affected keys where the underlying data changes, or rely on the short TTL if staleness is acceptable',
            'Guard against stampedes on hot keys (single-flight / lock on miss) and measure the hit ratio after the change',
          ],
        },
        rollback: `remove the cache lookup from ${ep.name} (or set its TTL to 0) and redeploy`,
        source: SOURCE,
      });
    }
  }
  return findings;
}

function coldCacheFinding({ cache }: CacheAnalyzerInput, o: CacheAnalyzerOptions): Finding[] {
  const lookups = cache.hits + cache.misses;
  if (cache.hitRatioPct === null || cache.hitRatioPct >= o.coldHitRatioPct || lookups < o.coldMinLookups) return [];
  return [
    {
      id: 'cache-cold',
      layer: 'caching',
      rootCause: 'cold_cache',
      title: `Cache hit ratio is ${cache.hitRatioPct}% (below ${o.coldHitRatioPct}%)`,
      evidence: [
        `${cache.hits} hits and ${cache.misses} misses in the profiling window (${cache.hitRatioPct}% hit ratio over ${lookups} lookups)`,
        ...(cache.evictions > 0 ? [`${cache.evictions} keys were evicted in the window`] : []),
      ],
      // Conservative: the profile does not tell which requests missed, so no gain is claimed.
      estimatedLatencyReductionMs: 0,
      effortDays: effortDays('cache_tuning'),
      risk: 'low',
      action: {
        type: 'manual',
        steps: [
          'Warm the cache after deploys and restarts (pre-load the hottest keys) instead of letting live traffic fill it',
          'Lengthen TTLs of keys that are read far more often than they change; add jitter so they do not expire together',
          'Check key churn: keys that embed timestamps, session ids or unnormalized parameters are never read twice ' +
            '(sample with redis-cli --hotkeys or MONITOR briefly)',
          'Check that misses are not lookups of keys that are never written (wrong key names, disabled write path)',
        ],
      },
      rollback: 'revert the TTL or warm-up change',
      source: SOURCE,
    },
  ];
}

function memoryFindings({ cache }: CacheAnalyzerInput, o: CacheAnalyzerOptions): Finding[] {
  const out: Finding[] = [];
  if (cache.maxMemoryMb === null) return out;
  const usedPct = cache.maxMemoryMb > 0 ? (cache.usedMemoryMb / cache.maxMemoryMb) * 100 : 0;
  const memEvidence = `Redis uses ${cache.usedMemoryMb} MB of maxmemory ${cache.maxMemoryMb} MB (${round(usedPct, 2)}%), policy ${cache.maxMemoryPolicy}`;
  if (cache.evictions > 0) {
    const lru = cache.maxMemoryPolicy === 'allkeys-lru' || cache.maxMemoryPolicy === 'allkeys-lfu';
    out.push({
      id: 'cache-evictions',
      layer: 'caching',
      rootCause: 'capacity',
      title: `Redis evicted ${cache.evictions} keys because it reached maxmemory`,
      evidence: [`${cache.evictions} keys evicted in the profiling window`, memEvidence],
      estimatedLatencyReductionMs: 0,
      effortDays: effortDays('cache_config'),
      risk: 'low',
      action: {
        type: 'manual',
        steps: [
          `Raise maxmemory above the working set (CONFIG SET maxmemory <bytes>, then persist it in redis.conf); it is ${cache.maxMemoryMb} MB now`,
          lru
            ? `The policy is already ${cache.maxMemoryPolicy}; if memory cannot grow, shorten TTLs of rarely read keys or shrink values`
            : `Or switch the policy to allkeys-lru (CONFIG SET maxmemory-policy allkeys-lru) if Redis holds only cache data; ` +
              `it is ${cache.maxMemoryPolicy} now`,
          'Find large keys with redis-cli --bigkeys / MEMORY USAGE and check they belong in the cache',
        ],
      },
      rollback: `set maxmemory back to ${cache.maxMemoryMb} MB and maxmemory-policy back to ${cache.maxMemoryPolicy}`,
      source: SOURCE,
    });
  }
  if (cache.maxMemoryPolicy === 'noeviction' && usedPct > o.noevictionMemoryPct) {
    out.push({
      id: 'cache-noeviction-full',
      layer: 'caching',
      rootCause: 'capacity',
      title: `Redis is ${round(usedPct, 2)}% full with maxmemory-policy noeviction: writes will fail with OOM errors`,
      evidence: [memEvidence, 'with noeviction Redis rejects writes once maxmemory is reached instead of evicting cache keys'],
      estimatedLatencyReductionMs: 0,
      effortDays: effortDays('cache_config'),
      risk: 'medium', // allkeys-* would also evict non-cache data (sessions, queues) if Redis holds any
      action: {
        type: 'manual',
        steps: [
          `Raise maxmemory (it is ${cache.maxMemoryMb} MB) or free memory (expire or delete unused keys)`,
          'If Redis holds only cache data, switch to maxmemory-policy allkeys-lru; ' +
            'if it also holds data that must not be lost, set TTLs on cache keys and use volatile-lru',
        ],
      },
      rollback: `set maxmemory back to ${cache.maxMemoryMb} MB and maxmemory-policy back to noeviction`,
      source: SOURCE,
    });
  }
  return out;
}

const SLOW_COMMAND_ADVICE: Record<string, string> = {
  KEYS: 'Replace KEYS with SCAN MATCH/COUNT, or keep an index set of the keys you need to enumerate',
  SMEMBERS: 'Read large sets incrementally with SSCAN, or split them into smaller sets',
  HGETALL: 'Read only the fields you need (HMGET) or iterate with HSCAN; split very large hashes',
  LRANGE: 'Page through lists (LRANGE with small ranges) instead of reading them whole; cap list length with LTRIM',
  ZRANGE: 'Page through sorted sets with LIMIT / small ranges instead of reading them whole',
  ZRANGEBYSCORE: 'Add LIMIT to range queries on large sorted sets',
  SUNION: 'Precompute set unions or run them on smaller sets',
  SINTER: 'Precompute set intersections or run them on smaller sets',
  SORT: 'Precompute the sorted result (e.g. in a sorted set) instead of SORT on every request',
  DEL: 'Delete large keys with UNLINK (frees memory in the background)',
  FLUSHALL: 'Use FLUSHALL ASYNC, and never on the request path',
  FLUSHDB: 'Use FLUSHDB ASYNC, and never on the request path',
  EVAL: 'Shorten Lua scripts: they block Redis while they run',
  EVALSHA: 'Shorten Lua scripts: they block Redis while they run',
};

function slowCommandFindings({ cache, baseline }: CacheAnalyzerInput, o: CacheAnalyzerOptions): Finding[] {
  const groups = new Map<string, { durationUs: number; count: number; max: number; examples: string[] }>();
  for (const e of cache.slowlog) {
    if (e.durationUs < o.slowCommandMinUs) continue;
    const name = (e.command.split(/\s+/)[0] || 'UNKNOWN').toUpperCase();
    const g = groups.get(name) ?? { durationUs: 0, count: 0, max: 0, examples: [] };
    g.durationUs += e.durationUs;
    g.count += 1;
    g.max = Math.max(g.max, e.durationUs);
    if (g.examples.length < 3) g.examples.push(`${e.command} (${round(e.durationUs / 1000, 2)} ms)`);
    groups.set(name, g);
  }
  const findings: Finding[] = [];
  for (const [name, g] of [...groups].sort((a, b) => b[1].durationUs - a[1].durationUs)) {
    // Conservative: only the (at most 10) captured entries' time, spread over the baseline requests.
    const reduction = baseline.requests > 0 ? round(g.durationUs / 1000 / baseline.requests, 2) : 0;
    findings.push({
      id: `cache-slow-${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`,
      layer: 'caching',
      rootCause: 'hot_function', // closest RootCause: a command that blocks Redis' single thread
      title: `Slow Redis command ${name}: ${g.count} call(s) up to ${round(g.max / 1000, 2)} ms in the slowlog`,
      evidence: [
        `${g.count} ${name} call(s) in the slowlog during the window took ${round(g.durationUs / 1000, 2)} ms in total (Redis serves nothing else meanwhile)`,
        ...g.examples.map((x) => `slowlog: ${x}`),
      ],
      estimatedLatencyReductionMs: reduction,
      effortDays: effortDays('investigation'),
      risk: 'low',
      action: {
        type: 'manual',
        steps: [
          SLOW_COMMAND_ADVICE[name] ??
            `Find why ${name} is slow: check the size of the keys it touches (MEMORY USAGE, redis-cli --bigkeys)`,
          'Find the code path that issues it (search for the command / key pattern) and move it off the request path if it cannot be made cheap',
          'Re-check SLOWLOG GET after the change',
        ],
      },
      rollback: 'revert the code change',
      source: SOURCE,
    });
  }
  return findings;
}

/** All cache findings; Redis-based rules are skipped when the cache profile is unavailable. */
export function analyzeCache(input: CacheAnalyzerInput, o: CacheAnalyzerOptions = DEFAULT_CACHE_ANALYZER_OPTIONS): Finding[] {
  const findings = uncachedEndpointFindings(input, o);
  if (input.cache.available) {
    findings.push(...coldCacheFinding(input, o), ...memoryFindings(input, o), ...slowCommandFindings(input, o));
  }
  return findings;
}
