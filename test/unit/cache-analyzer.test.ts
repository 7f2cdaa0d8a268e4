import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';
import type { CacheProfile, EndpointSummary, LoadTestSummary } from '../../common/types';
import { analyzeCache, cacheAnalyzer, DEFAULT_CACHE_ANALYZER_OPTIONS } from '../../activities/skills/cache-analyzer';
import type { ActivityDeps } from '../../activities/deps';
import { minimalCache, skillRequest } from '../helpers/skill-request';

function profile(toggles: unknown[] = [], cacheable = ['products']): TargetProfile {
  return parseTargetProfile({
    name: 'shop',
    http: {
      baseUrl: 'http://127.0.0.1:3100',
      endpoints: ['products', 'product', 'health'].map((n) => ({ name: n, path: `/${n}`, cacheable: cacheable.includes(n) })),
    },
    redis: { urlEnv: 'SHOP_REDIS_URL' },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 100 },
    actions: { featureToggles: toggles },
  });
}

const lat = (mean: number) => ({ p50: mean, p90: mean * 1.5, p95: mean * 2, p99: mean * 3, max: mean * 5, mean });
const ep = (name: string, requests: number, mean: number): EndpointSummary => ({ name, requests, errors: 0, latencyMs: lat(mean) });

function baseline(endpoints: EndpointSummary[]): LoadTestSummary {
  const requests = endpoints.reduce((s, e) => s + e.requests, 0);
  return {
    id: 'lt-1',
    phase: 'baseline',
    concurrency: 8,
    durationSeconds: 10,
    requests,
    warmupRequests: 0,
    errors: 0,
    errorRatePct: 0,
    throughputRps: requests / 10,
    latencyMs: lat(5),
    endpoints,
    errorKinds: {},
  };
}

function cache(over: Partial<CacheProfile> = {}): CacheProfile {
  return { ...minimalCache(), usedMemoryMb: 10, opsPerSec: 10, ...over };
}

// products: 25 ms on 400 of 1000 requests; others: ~2 ms.
const BASE = baseline([ep('products', 400, 25), ep('product', 500, 2), ep('health', 100, 0.5)]);

test('expensive cacheable endpoint with a matching toggle -> feature_toggle finding', () => {
  const target = profile([
    { name: 'cache_products', fixes: 'uncached_endpoint', endpoints: ['products'], tokenEnv: 'SHOP_TOGGLE_TOKEN', effortDays: 0.5 },
  ]);
  const f = analyzeCache({ target, cache: cache(), baseline: BASE });
  assert.equal(f.length, 1);
  const x = f[0];
  assert.equal(x.id, 'cache-products');
  assert.equal(x.rootCause, 'uncached_endpoint');
  assert.equal(x.layer, 'caching');
  assert.equal(x.source, 'cache-analyzer');
  assert.equal(x.risk, 'low');
  assert.equal(x.effortDays, 0.5);
  assert.deepEqual(x.action, { type: 'feature_toggle', toggle: 'cache_products', value: true });
  // (25 - 1) * 400/1000
  assert.equal(x.estimatedLatencyReductionMs, 9.6);
  assert.match(x.rollback, /set toggle cache_products back to its previous value/);
  assert.ok(x.evidence.some((e) => e.includes('25 ms')));
  assert.ok(x.evidence.some((e) => e.includes('400 of 1000')));
});

test('a toggle listing no endpoints applies to all; enabledValue is used', () => {
  const target = profile([{ name: 'mode', fixes: 'uncached_endpoint', enabledValue: 'cached' }]);
  const [x] = analyzeCache({ target, cache: cache(), baseline: BASE });
  assert.deepEqual(x.action, { type: 'feature_toggle', toggle: 'mode', value: 'cached' });
});

test('toggles for other endpoints or other fixes do not match -> manual read-through cache steps', () => {
  const target = profile([
    { name: 'cache_product', fixes: 'uncached_endpoint', endpoints: ['product'] },
    { name: 'batch', fixes: 'n_plus_one' },
  ]);
  const f = analyzeCache({ target, cache: cache(), baseline: BASE });
  assert.equal(f.length, 1);
  const x = f[0];
  assert.equal(x.id, 'cache-products');
  assert.equal(x.action.type, 'manual');
  if (x.action.type !== 'manual') return;
  const steps = x.action.steps.join('\n');
  assert.match(steps, /read-through/i);
  assert.match(steps, /TTL/);
  assert.match(steps, /shop:products:v1/);
  assert.match(steps, /[Ii]nvalidat/);
  assert.equal(x.estimatedLatencyReductionMs, 9.6);
});

test('cheap (<= 2 ms) cacheable endpoints are skipped; a costly one is kept even when others are slower', () => {
  const target = profile([], ['product', 'health']);
  assert.deepEqual(analyzeCache({ target, cache: cache(), baseline: BASE }), []);
  // cacheable endpoint at 3 ms while the others average more: still worth caching
  const b = baseline([ep('products', 100, 10), ep('product', 100, 3), ep('health', 100, 10)]);
  assert.deepEqual(
    analyzeCache({ target: profile([], ['product']), cache: cache(), baseline: b }).map((f) => f.id),
    ['cache-product'],
  );
  // non-cacheable expensive endpoint -> nothing
  assert.deepEqual(analyzeCache({ target: profile([], []), cache: cache(), baseline: BASE }), []);
});

test('endpoints missing from the baseline or without requests are skipped', () => {
  const b = baseline([ep('product', 500, 2), ep('products', 0, 30)]);
  assert.deepEqual(analyzeCache({ target: profile(), cache: cache(), baseline: b }), []);
});

test('cold cache: ratio < 70% with >= 100 lookups; not below 100 lookups or at 70%+', () => {
  const target = profile([], []);
  const cold = analyzeCache({ target, cache: cache({ hits: 30, misses: 70, hitRatioPct: 30 }), baseline: BASE });
  assert.equal(cold.length, 1);
  assert.equal(cold[0].rootCause, 'cold_cache');
  assert.equal(cold[0].id, 'cache-cold');
  assert.equal(cold[0].estimatedLatencyReductionMs, 0);
  assert.equal(cold[0].action.type, 'manual');
  if (cold[0].action.type === 'manual') {
    const s = cold[0].action.steps.join('\n');
    assert.match(s, /[Ww]arm/);
    assert.match(s, /TTL/);
    assert.match(s, /churn/);
  }
  assert.deepEqual(analyzeCache({ target, cache: cache({ hits: 10, misses: 89, hitRatioPct: 10.1 }), baseline: BASE }), []);
  assert.deepEqual(analyzeCache({ target, cache: cache({ hits: 700, misses: 300, hitRatioPct: 70 }), baseline: BASE }), []);
  assert.deepEqual(analyzeCache({ target, cache: cache({ hitRatioPct: null }), baseline: BASE }), []);
});

test('evictions with maxmemory set -> capacity finding; without maxmemory -> none', () => {
  const target = profile([], []);
  const f = analyzeCache({
    target,
    cache: cache({ evictions: 50, maxMemoryMb: 100, usedMemoryMb: 99, maxMemoryPolicy: 'volatile-lru' }),
    baseline: BASE,
  });
  assert.equal(f.length, 1);
  assert.equal(f[0].id, 'cache-evictions');
  assert.equal(f[0].rootCause, 'capacity');
  assert.equal(f[0].action.type, 'manual');
  if (f[0].action.type === 'manual') {
    const s = f[0].action.steps.join('\n');
    assert.match(s, /maxmemory/);
    assert.match(s, /allkeys-lru/);
  }
  assert.deepEqual(analyzeCache({ target, cache: cache({ evictions: 50, maxMemoryMb: null }), baseline: BASE }), []);
});

test('noeviction policy above 90% of maxmemory -> OOM risk finding', () => {
  const target = profile([], []);
  const f = analyzeCache({ target, cache: cache({ maxMemoryMb: 100, usedMemoryMb: 95, maxMemoryPolicy: 'noeviction' }), baseline: BASE });
  assert.equal(f.length, 1);
  assert.equal(f[0].id, 'cache-noeviction-full');
  assert.match(f[0].title, /OOM/);
  assert.deepEqual(
    analyzeCache({ target, cache: cache({ maxMemoryMb: 100, usedMemoryMb: 80, maxMemoryPolicy: 'noeviction' }), baseline: BASE }),
    [],
  );
  assert.deepEqual(
    analyzeCache({ target, cache: cache({ maxMemoryMb: 100, usedMemoryMb: 95, maxMemoryPolicy: 'allkeys-lru' }), baseline: BASE }),
    [],
  );
});

test('slow commands in the slowlog -> one manual finding per command; sub-ms entries ignored', () => {
  const target = profile([], []);
  const f = analyzeCache({
    target,
    cache: cache({
      slowlog: [
        { id: 9, durationUs: 15_000, command: 'KEYS product:*' },
        { id: 8, durationUs: 5_000, command: 'KEYS session:*' },
        { id: 7, durationUs: 12_000, command: 'SMEMBERS big-set' },
        { id: 6, durationUs: 40, command: 'GET a' },
      ],
    }),
    baseline: BASE,
  });
  assert.deepEqual(
    f.map((x) => x.id),
    ['cache-slow-keys', 'cache-slow-smembers'],
  );
  assert.ok(f.every((x) => x.action.type === 'manual' && x.source === 'cache-analyzer'));
  const keys = f[0];
  if (keys.action.type === 'manual') assert.match(keys.action.steps[0], /SCAN/);
  assert.ok(keys.evidence.some((e) => e.includes('KEYS product:*')));
  // 20 ms over 1000 requests
  assert.equal(keys.estimatedLatencyReductionMs, 0.02);
  if (f[1].action.type === 'manual') assert.match(f[1].action.steps[0], /SSCAN/);
});

test('unavailable cache profile: only the endpoint rule runs', () => {
  const f = analyzeCache({
    target: profile(),
    cache: cache({ available: false, hits: 1, misses: 999, hitRatioPct: 0.1, slowlog: [{ id: 1, durationUs: 50_000, command: 'KEYS *' }] }),
    baseline: BASE,
  });
  assert.deepEqual(
    f.map((x) => x.id),
    ['cache-products'],
  );
});

test("the skill: collect picks the profiling result's evidence, analyze applies the rules; no redis section -> skipped", async () => {
  const req = skillRequest(profile(), { cache: cache(), baseline: BASE });
  const options = cacheAnalyzer.options(req.target);
  assert.deepEqual(options, DEFAULT_CACHE_ANALYZER_OPTIONS);
  const { evidence } = await cacheAnalyzer.collect({} as ActivityDeps, req, options);
  assert.deepEqual(
    cacheAnalyzer.analyze(evidence, options, req).findings.map((x) => x.id),
    ['cache-products'],
  );
  assert.equal(cacheAnalyzer.skip(req), null);
  const noRedis = { ...req, target: { ...req.target, redis: undefined } };
  assert.match(String(cacheAnalyzer.skip(noRedis)), /no redis section/);
});
