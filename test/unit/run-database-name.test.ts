// Integration tests' database names (test/helpers/services.ts): two checkouts, or two runs of one, testing
// at the same time on one PostgreSQL must not share a database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDatabaseName } from '../helpers/services';

test('the name differs per checkout and per test process, and is stable within one', () => {
  const a = runDatabaseName('perf_test_x', '/work/main', 100);
  assert.equal(a, runDatabaseName('perf_test_x', '/work/main', 100));
  assert.notEqual(a, runDatabaseName('perf_test_x', '/work/wt-polish', 100));
  assert.notEqual(a, runDatabaseName('perf_test_x', '/work/main', 101));
  assert.match(a, /^perf_test_x_[0-9a-f]{8}_100$/);
  assert.notEqual(runDatabaseName('perf_test_x'), runDatabaseName('perf_test_x', '/elsewhere'), 'the default is this checkout');
});

test('names stay within PostgreSQL 63-byte identifiers and plain lower-case; others are refused, naming the limit', () => {
  assert.equal(runDatabaseName('p'.repeat(46), '/c', 4_194_304).length, 63);
  assert.throws(() => runDatabaseName('p'.repeat(47), '/c', 1), /at most 46 characters/);
  assert.throws(() => runDatabaseName('Perf-Test', '/c', 1), /lower-case letters, digits and _/);
});
