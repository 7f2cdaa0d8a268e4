// The profile's observability section: Prometheus's URL under the allowed-host rules, its token by
// environment variable name under the worker's secret policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetProfile } from '../../common/profile';
import { profileRefusal } from '../helpers/profile-refusal';
import { DEFAULT_OPERATOR_POLICY } from '../../common/operator-policy';
import { policyIssues } from '../../common/policy-check';

const base = {
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'home', path: '/' }] },
  targets: { p95Ms: 50, p99Ms: 100, throughputRps: 100 },
};

const refusal = profileRefusal;

test('observability: prometheusUrl and tokenEnv parse; bad URLs, values for names, other hosts and unknown keys are refused', () => {
  const p = parseTargetProfile({ ...base, observability: { prometheusUrl: 'http://127.0.0.1:9090', tokenEnv: 'SHOP_PROM_TOKEN' } });
  assert.deepEqual(p.observability, { prometheusUrl: 'http://127.0.0.1:9090', tokenEnv: 'SHOP_PROM_TOKEN' });
  assert.match(
    refusal({ ...base, observability: { prometheusUrl: '9090' } }),
    /observability\.prometheusUrl: must be Prometheus's base URL/,
  );
  assert.match(
    refusal({ ...base, observability: { prometheusUrl: 'http://127.0.0.1:9090', tokenEnv: 'abc123' } }),
    /observability\.tokenEnv: must be the NAME of an environment variable/,
  );
  assert.match(
    refusal({ ...base, observability: { prometheusUrl: 'http://prom.internal:9090' } }),
    /observability\.prometheusUrl: host prom\.internal is neither http\.baseUrl's host nor in http\.allowedHosts/,
  );
  assert.match(refusal({ ...base, observability: { prometheusURL: 'x' } }), /observability: unknown key "prometheusURL"/);
});

test('observability.tracesEndpoint: host:port or http(s)://host:port of a trace backend; a URL path or no port is refused', () => {
  for (const e of ['tempo:4317', 'http://jaeger.internal:4317', 'https://otlp.example.com:443'])
    assert.equal(
      parseTargetProfile({ ...base, observability: { prometheusUrl: 'http://127.0.0.1:9090', tracesEndpoint: e } }).observability
        ?.tracesEndpoint,
      e,
    );
  for (const e of ['tempo', 'http://tempo:4317/v1/traces', 'tempo:port'])
    assert.match(
      refusal({ ...base, observability: { prometheusUrl: 'http://127.0.0.1:9090', tracesEndpoint: e } }),
      /observability\.tracesEndpoint: must be host:port of an OTLP gRPC trace backend/,
      e,
    );
});

test("observability: the operator's policy judges Prometheus's host and the token's variable", () => {
  const p = parseTargetProfile({
    ...base,
    http: { ...base.http, allowedHosts: ['prom.internal'] },
    observability: { prometheusUrl: 'http://prom.internal:9090', tokenEnv: 'BILLING_TOKEN' },
  });
  const issues = policyIssues(p, DEFAULT_OPERATOR_POLICY).filter((i) => i.path[0] === 'observability');
  const byPath = Object.fromEntries(issues.map((i) => [i.path.join('.'), i.message]));
  assert.match(byPath['observability.prometheusUrl'] ?? '', /host prom\.internal is not in this worker's PERF_TARGET_HOSTS/);
  assert.match(byPath['observability.tokenEnv'] ?? '', /BILLING_TOKEN: target shop may read only SHOP_\*/);
});
