import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evenParts, splitLoad } from '../../common/shards';
import { parseTargetProfile } from '../../common/profile';
import type { LoadTestRequest } from '../../common/types';

const target = parseTargetProfile({
  name: 't',
  http: { baseUrl: 'http://127.0.0.1:1', endpoints: [{ name: 'a', path: '/' }] },
  targets: { p95Ms: 1, p99Ms: 2, throughputRps: 3 },
});
const req: LoadTestRequest = { runId: 'r', phase: 'baseline', target, concurrency: 10, durationSeconds: 5, warmupSeconds: 1 };

test('even parts differ by at most one and add up', () => {
  assert.deepEqual(evenParts(10, 3), [4, 3, 3]);
  assert.deepEqual(evenParts(2, 4), [1, 1, 0, 0]);
});

test('closed model: users are divided, never more shards than users', () => {
  assert.deepEqual(
    splitLoad(req, 3, false).map((r) => r.concurrency),
    [4, 3, 3],
  );
  assert.equal(splitLoad({ ...req, concurrency: 2 }, 4, false).length, 2);
  assert.deepEqual(splitLoad(req, 1, false), [req]);
});

test('open model: rates, ramp start, connection limit and request cap are divided', () => {
  const parts = splitLoad({ ...req, model: 'open', rateRps: 900, rampFromRps: 300, maxConnections: 7, maxRequests: 1001 }, 3, true);
  assert.deepEqual(
    parts.map((p) => p.rateRps),
    [300, 300, 300],
  );
  assert.deepEqual(
    parts.map((p) => p.rampFromRps),
    [100, 100, 100],
  );
  assert.deepEqual(
    parts.map((p) => p.maxConnections),
    [3, 2, 2],
  );
  assert.deepEqual(
    parts.map((p) => p.maxRequests),
    [334, 334, 333],
  );
});
