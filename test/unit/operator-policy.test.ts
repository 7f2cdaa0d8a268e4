// The worker operator's policy, pure: parsing the worker's environment, hosts, which variables a
// target may read, the run's limits and the load it plans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_OPERATOR_POLICY,
  looksLikeConnectionUrl,
  OperatorPolicyError,
  operatorHostAllowed,
  parseOperatorPolicy,
  secretRefusal,
  targetEnvPrefix,
} from '../../common/operator-policy';
import { policyIssues } from '../../common/policy-check';
import { effectiveLimits, plannedLoad, runBudgetIssues } from '../../common/run-budget';
import { parseTargetProfile } from '../../common/profile';
import { TargetConnections } from '../../activities/connections';
import { ApplicationFailure } from '@temporalio/common';

const profile = (over: Record<string, unknown> = {}) =>
  parseTargetProfile({
    name: 'shop',
    http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'home', path: '/' }] },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
    ...over,
  });

test('unset or blank settings give the defaults: loopback hosts, own-prefix secrets, 7200 s and 10 million requests', () => {
  for (const env of [{}, { PERF_TARGET_HOSTS: ' ', PERF_TARGET_SECRETS: '', PERF_MAX_RUN_SECONDS: '' }]) {
    assert.deepEqual(parseOperatorPolicy(env), DEFAULT_OPERATOR_POLICY);
  }
  assert.deepEqual(DEFAULT_OPERATOR_POLICY.targetHosts, ['127.0.0.1', 'localhost', '::1']);
  assert.deepEqual(DEFAULT_OPERATOR_POLICY.limits, { maxRunSeconds: 7200, maxRunRequests: 10_000_000 });
});

test('settings are parsed: hosts normalized, per-target lists, caps', () => {
  const p = parseOperatorPolicy({
    PERF_TARGET_HOSTS: 'Shop.Internal., [::1], 10.0.0.7',
    PERF_TARGET_SECRETS: 'shop=SHOP_*; billing=BILLING_DB_URL,BILLING_TOKEN;',
    PERF_MAX_RUN_SECONDS: '600',
    PERF_MAX_RUN_REQUESTS: '1',
  });
  assert.deepEqual(p.targetHosts, ['shop.internal', '::1', '10.0.0.7']);
  assert.deepEqual(p.secrets, { shop: ['SHOP_*'], billing: ['BILLING_DB_URL', 'BILLING_TOKEN'] });
  assert.deepEqual(p.limits, { maxRunSeconds: 600, maxRunRequests: 1 });
  assert.ok(operatorHostAllowed(p, 'SHOP.internal'));
  assert.ok(!operatorHostAllowed(p, '127.0.0.1'), 'a list replaces the default');
});

test('a malformed setting is refused, naming the variable and the fix', () => {
  const bad = (env: Record<string, string>, re: RegExp) =>
    assert.throws(
      () => parseOperatorPolicy(env),
      (e: unknown) => e instanceof OperatorPolicyError && re.test(e.message),
      JSON.stringify(env),
    );
  bad({ PERF_TARGET_HOSTS: 'http://shop:3100' }, /^PERF_TARGET_HOSTS: "http:\/\/shop:3100" is not a host .*unset it for loopback only/);
  bad({ PERF_TARGET_HOSTS: '*.internal' }, /PERF_TARGET_HOSTS: "\*\.internal"/);
  bad({ PERF_TARGET_HOSTS: 'a,,b' }, /PERF_TARGET_HOSTS: ""/);
  bad({ PERF_TARGET_SECRETS: 'SHOP_*' }, /PERF_TARGET_SECRETS: "SHOP_\*" does not name a target\. Write target=/);
  bad({ PERF_TARGET_SECRETS: 'shop=shop_token' }, /"shop_token" \(target shop\) is not a variable name/);
  bad({ PERF_TARGET_SECRETS: 'shop=SHOP_*;shop=X' }, /target shop is listed twice/);
  bad({ PERF_TARGET_SECRETS: 'shop=PERF_STORE_URL' }, /worker's own settings/);
  bad({ PERF_TARGET_SECRETS: 'shop=TEMP*' }, /worker's own settings/);
  bad({ PERF_TARGET_SECRETS: 'shop=*' }, /not a variable name/);
  for (const v of ['0', '-1', '1.5', '1e3', 'lots', String(2 ** 60)])
    bad({ PERF_MAX_RUN_SECONDS: v }, /^PERF_MAX_RUN_SECONDS: .*positive whole number; set e\.g\. PERF_MAX_RUN_SECONDS=7200/);
  bad({ PERF_MAX_RUN_REQUESTS: 'many' }, /^PERF_MAX_RUN_REQUESTS:/);
});

test('by default a target reads only its own NAME_* variables, never the worker settings', () => {
  assert.equal(targetEnvPrefix('shop-eu'), 'SHOP_EU_');
  const d = DEFAULT_OPERATOR_POLICY;
  assert.equal(secretRefusal(d, 'shop', 'SHOP_DATABASE_URL'), null);
  assert.equal(secretRefusal(d, 'shop-eu', 'SHOP_EU_TOKEN'), null);
  assert.match(
    secretRefusal(d, 'shop', 'BILLING_DB_URL')!,
    /target shop may read only SHOP_\* on this worker; rename .* PERF_TARGET_SECRETS \(e\.g\. shop=BILLING_DB_URL\)/,
  );
  assert.match(secretRefusal(d, 'shop', 'SHOPX_TOKEN')!, /may read only SHOP_\*/);
  // A target named like the worker's settings still cannot read them.
  assert.match(secretRefusal(d, 'perf', 'PERF_STORE_URL')!, /worker's own settings/);
  assert.match(secretRefusal(d, 'temporal', 'TEMPORAL_API_KEY')!, /worker's own settings/);
});

test("with PERF_TARGET_SECRETS the operator's list is the whole rule: exact names and prefixes", () => {
  const p = parseOperatorPolicy({ PERF_TARGET_SECRETS: 'shop=SHOP_TOKEN_*,SHARED_REDIS_URL' });
  assert.equal(secretRefusal(p, 'shop', 'SHOP_TOKEN_ADMIN'), null);
  assert.equal(secretRefusal(p, 'shop', 'SHARED_REDIS_URL'), null);
  assert.match(
    secretRefusal(p, 'shop', 'SHOP_DATABASE_URL')!,
    /may read only SHOP_TOKEN_\*, SHARED_REDIS_URL .*shop=SHOP_TOKEN_\*,SHARED_REDIS_URL,SHOP_DATABASE_URL/,
  );
  assert.match(secretRefusal(p, 'shop', 'SHARED_REDIS_URL_2')!, /may read only/);
  assert.match(secretRefusal(p, 'billing', 'BILLING_TOKEN')!, /may read no variable \(it is not listed in PERF_TARGET_SECRETS\)/);
});

test('a connection string is never a token', () => {
  for (const v of ['postgres://u:p@db/x', 'redis://:pw@cache:6379/0', 'https://x', ' mysql+srv://a'])
    assert.ok(looksLikeConnectionUrl(v), v);
  for (const v of ['tok-0123', 'Bearer abc', 'abc:def', 'eyJhbGciOi.x.y']) assert.ok(!looksLikeConnectionUrl(v), v);
});

test('the worker resolves only what the policy allows, and never sends a URL as a token', () => {
  const conns = new TargetConnections({
    SHOP_ADMIN_TOKEN: 'tok',
    SHOP_DATABASE_URL: 'postgres://u:pw@db/x',
    BILLING_TOKEN: 'b',
    PERF_STORE_URL: 'p',
  });
  const shop = { name: 'shop' };
  assert.equal(conns.resolveSecret(shop, 'SHOP_ADMIN_TOKEN', 'toggle', 'token'), 'tok');
  assert.equal(conns.resolveSecret(shop, 'SHOP_DATABASE_URL', 'database'), 'postgres://u:pw@db/x');
  const refused = (name: string, use: 'token' | 'connection', re: RegExp) =>
    assert.throws(
      () => conns.resolveSecret(shop, name, 'what', use),
      (e: unknown) =>
        e instanceof ApplicationFailure && e.nonRetryable && e.type === 'SecretNotAllowed' && re.test(e.message) && !/pw@/.test(e.message),
    );
  refused('SHOP_DATABASE_URL', 'token', /refusing to send SHOP_DATABASE_URL to the target as a token: its value is a URL/);
  refused('BILLING_TOKEN', 'token', /refusing to read BILLING_TOKEN: target shop may read only SHOP_\*/);
  refused('PERF_STORE_URL', 'connection', /worker's own settings/);
});

test('the load a run plans: every phase, worst case (the default one-endpoint profile plans 478 s)', () => {
  const plan = plannedLoad(profile());
  assert.deepEqual(
    plan.phases.map((p) => [p.phase, p.seconds]),
    [
      // Steady warm-ups at their 60 s cap; the baseline's own warm-up, then its round (2 + 10 s), twice.
      ['baseline (twice if the first drifted)', 144],
      ['after', 70],
      ['peak', 70],
      ['stress (12 steps x 6 s)', 72],
      ['soak', 60],
      ['per-endpoint attribution (2 passes, at most)', 62],
    ],
  );
  assert.equal(plan.seconds, 478);
  // A stress step lasts at most durationSeconds, and its warm-up at most 1 s.
  const short = plannedLoad(
    profile({
      load: {
        durationSeconds: 2,
        warmupSeconds: 0.5,
        stressStepSeconds: 600,
        stressMultipliers: [1, 2],
        soakSeconds: 1,
        attribution: { maxSecondsPerEndpoint: 2 },
      },
    }),
  );
  assert.equal(short.seconds, 2.5 * 4 + 2 * 2.5 + 1 + 2 * (2 + 1));
  // Attribution turned off plans no pass; each endpoint adds its time limit twice.
  assert.equal(plannedLoad(profile({ load: { attribution: { enabled: false } } })).seconds, 416);
  const two = profile({
    http: {
      baseUrl: 'http://127.0.0.1:3100',
      endpoints: [
        { name: 'a', path: '/a' },
        { name: 'b', path: '/b' },
      ],
    },
  });
  assert.equal(plannedLoad(two).seconds, 416 + 2 * (2 * 30 + 1));
});

test("limits: the plan at the cap passes, one second over is refused; a profile lowers the operator's, never raises", () => {
  const policy = parseOperatorPolicy({ PERF_MAX_RUN_SECONDS: '478', PERF_MAX_RUN_REQUESTS: '1000' });
  assert.deepEqual(runBudgetIssues(profile(), policy), []);
  const over = runBudgetIssues(profile({ load: { soakSeconds: 61 } }), policy);
  assert.equal(over.length, 1);
  assert.match(over[0].message, /plan 479 s of load .* the worker's PERF_MAX_RUN_SECONDS allows 478 s; lower load\.stressMultipliers/);
  assert.deepEqual(effectiveLimits(policy, profile({ limits: { maxRunRequests: 10 } })).limits, { maxRunSeconds: 478, maxRunRequests: 10 });
  assert.deepEqual(effectiveLimits(policy, profile({ limits: { maxRunRequests: 1000, maxRunSeconds: 478 } })).issues, []);
  const raised = effectiveLimits(policy, profile({ limits: { maxRunRequests: 1001 } }));
  assert.deepEqual(raised.limits.maxRunRequests, 1000);
  assert.deepEqual(raised.issues[0].path, ['limits', 'maxRunRequests']);
  assert.match(raised.issues[0].message, /1001 is above this worker's PERF_MAX_RUN_REQUESTS=1000; .*set at most 1000/);
  assert.match(
    runBudgetIssues(profile({ limits: { maxRunSeconds: 100 } }), policy)[0].message,
    /the profile's limits\.maxRunSeconds allows 100 s/,
  );
});

test('limits is a strict profile section of positive whole numbers', () => {
  assert.throws(() => profile({ limits: { maxRunSecs: 10 } }), /limits: unknown key "maxRunSecs": did you mean "maxRunSeconds"\?/);
  assert.throws(() => profile({ limits: { maxRunRequests: 0 } }), /limits\.maxRunRequests/);
  assert.throws(() => profile({ limits: { maxRunSeconds: 1.5 } }), /limits\.maxRunSeconds/);
});

test('policyIssues names every field beyond the policy: hosts, variables, plan', () => {
  const t = profile({
    http: {
      baseUrl: 'http://shop.internal:3100',
      allowedHosts: ['127.0.0.1', 'metadata.internal'],
      endpoints: [{ name: 'home', path: '/' }],
    },
    database: { urlEnv: 'SHOP_DATABASE_URL' },
    redis: { urlEnv: 'CACHE_URL' },
    actions: { featureToggles: [{ name: 't', fixes: 'n_plus_one', tokenEnv: 'PERF_STORE_URL' }] },
    load: { soakSeconds: 86_400 },
  });
  const issues = policyIssues(t, DEFAULT_OPERATOR_POLICY);
  assert.deepEqual(
    issues.map((i) => i.path.join('.')),
    ['http.baseUrl', 'http.allowedHosts.1', 'redis.urlEnv', 'actions.featureToggles.0.tokenEnv', 'load'],
  );
  assert.match(
    issues[0].message,
    /host shop\.internal is not in this worker's PERF_TARGET_HOSTS \(allowed: 127\.0\.0\.1, localhost, ::1\)/,
  );
  assert.deepEqual(policyIssues(profile(), DEFAULT_OPERATOR_POLICY), []);
});
