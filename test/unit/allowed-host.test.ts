import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { assertAllowedHost } from '../../activities/http/allowed-host';
import { parseTargetProfile } from '../../common/profile';
import { parseOperatorPolicy } from '../../common/operator-policy';

// The operator allows these hosts; the profile's own list narrows it further.
const policy = parseOperatorPolicy({ PERF_TARGET_HOSTS: 'shop.example,toggles.internal,::1,10.0.0.7,169.254.169.254' });

const target = (allowedHosts: string[]) =>
  parseTargetProfile({
    name: 'hosts',
    http: { baseUrl: 'http://Shop.Example.:3100', allowedHosts, endpoints: [{ name: 'home', path: '/' }] },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
  });

test('the base URL host and allowedHosts entries are allowed, with or without a port, case and trailing dot aside', () => {
  const t = target(['toggles.internal:8080', '[::1]:9229', '10.0.0.7']);
  for (const url of ['http://shop.example:3100/x', 'http://TOGGLES.internal:9000/admin', 'http://[::1]:9229/json', 'https://10.0.0.7/']) {
    assert.equal(assertAllowedHost(t, url, 'load', policy).protocol.startsWith('http'), true, url);
  }
});

test('any other host, scheme or a relative URL is refused, naming the request and the fix', () => {
  const t = target([]);
  const refused = (url: string, type: string, message: RegExp) =>
    assert.throws(
      () => assertAllowedHost(t, url, 'a toggle request', policy),
      (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable && err.type === type && message.test(err.message),
      url,
    );
  refused(
    'http://169.254.169.254/latest',
    'HostNotAllowed',
    /a toggle request to 169\.254\.169\.254: it is not an allowed host .*http\.allowedHosts/,
  );
  refused('http://shop.example.evil.com/', 'HostNotAllowed', /not an allowed host/);
  refused('file:///etc/passwd', 'BadProfile', /only http and https/);
  refused('/relative', 'BadProfile', /not an absolute URL/);
});

test("a host the profile allows but the worker's operator does not is refused, naming PERF_TARGET_HOSTS", () => {
  const t = target(['toggles.internal']);
  const refused = (url: string, p?: Parameters<typeof assertAllowedHost>[3]) =>
    assert.throws(
      () => assertAllowedHost(t, url, 'load', p),
      (err: unknown) =>
        err instanceof ApplicationFailure && err.nonRetryable && err.type === 'HostNotAllowed' && /PERF_TARGET_HOSTS/.test(err.message),
      url,
    );
  refused('http://toggles.internal/x', parseOperatorPolicy({ PERF_TARGET_HOSTS: 'shop.example' }));
  // Without a policy, the default one: loopback only.
  refused('http://shop.example:3100/');
  const local = parseTargetProfile({
    name: 'local',
    http: { baseUrl: 'http://127.0.0.1:3100', allowedHosts: ['localhost', '[::1]'], endpoints: [{ name: 'home', path: '/' }] },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
  });
  for (const url of ['http://127.0.0.1:3100/', 'http://LOCALHOST:1/', 'http://[::1]:9229/']) assert.ok(assertAllowedHost(local, url), url);
});
