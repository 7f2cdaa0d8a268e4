// perf-orch run against another deployment: --base-url drops the profile's Prometheus (it watches the
// deployment the profile was written for), --prometheus-url names the other one's and allows its host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildRunInput, type RunOptions } from '../../client/commands/run';

const SHOP = join(__dirname, '..', '..', 'demo', 'targets', 'shop.yaml');
const opts = (over: Partial<RunOptions>): RunOptions => ({
  target: SHOP,
  tier: 'auto',
  approvalTimeout: '1h',
  onApprovalTimeout: 'end',
  reports: '/tmp',
  ...over,
});

test("the demo profile names its Prometheus; another deployment drops it unless --prometheus-url names that deployment's", () => {
  assert.equal(buildRunInput(opts({})).target.observability?.prometheusUrl, 'http://127.0.0.1:9090');
  assert.equal(buildRunInput(opts({ baseUrl: 'http://shop:3100' })).target.observability, undefined);
  const moved = buildRunInput(opts({ baseUrl: 'http://shop:3100', prometheusUrl: 'http://prometheus:9090' })).target;
  assert.deepEqual(moved.observability, { prometheusUrl: 'http://prometheus:9090' });
  assert.ok(moved.http.allowedHosts.includes('prometheus'), 'its host is allowed by the profile (the worker still decides)');
  const same = buildRunInput(opts({ prometheusUrl: 'http://127.0.0.1:9091' })).target;
  assert.deepEqual(same.http.allowedHosts, [], "baseUrl's own host is not added");
});

test('a bad --prometheus-url is refused, naming the option', () => {
  assert.throws(() => buildRunInput(opts({ prometheusUrl: 'ftp://prometheus' })), /--prometheus-url must be an absolute http\(s\) URL/);
  assert.throws(
    () => buildRunInput(opts({ prometheusUrl: 'http://user:pw@prometheus:9090' })),
    /--prometheus-url.*observability\.prometheusUrl/s,
  );
});
