import { test } from 'node:test';
import assert from 'node:assert/strict';
import { infoNumber, parseInfoFields, parseRedisInfo } from '../../activities/redis/info';

const SAMPLE = [
  '# Server',
  'redis_version:7.0.15',
  'executable:/usr/bin/redis-server',
  'run_id:abc123',
  '',
  '# Stats',
  'keyspace_hits:42',
  'keyspace_misses:8',
  'evicted_keys:0',
  'instantaneous_input_kbps:0.01',
  '',
  '# Memory',
  'used_memory:1048576',
  'maxmemory:0',
  'maxmemory_policy:noeviction',
  '# Keyspace',
  'db15:keys=3,expires=1,avg_ttl=0',
  '',
].join('\r\n');

test('parseRedisInfo reads key:value lines across sections and CRLF endings', () => {
  const info = parseRedisInfo(SAMPLE);
  assert.equal(info.redis_version, '7.0.15');
  assert.equal(info.keyspace_hits, '42');
  assert.equal(info.maxmemory_policy, 'noeviction');
  assert.equal(info.run_id, 'abc123');
  assert.equal(info['# Server'], undefined);
  assert.equal(
    Object.keys(info).some((k) => k.startsWith('#')),
    false,
  );
});

test('parseRedisInfo keeps colons after the first one in the value', () => {
  const info = parseRedisInfo(SAMPLE);
  assert.equal(info.executable, '/usr/bin/redis-server');
  assert.equal(parseRedisInfo('config_file:C:\\redis\\redis.conf\n').config_file, 'C:\\redis\\redis.conf');
});

test('parseRedisInfo works with LF endings, ignores junk lines and an empty text', () => {
  assert.deepEqual(parseRedisInfo('a:1\nnot a field\n:novalue\nb:\n'), { a: '1', b: '' });
  assert.deepEqual(parseRedisInfo(''), {});
});

test('infoNumber converts numbers and falls back on missing or non-numeric fields', () => {
  const info = parseRedisInfo(SAMPLE);
  assert.equal(infoNumber(info, 'keyspace_hits'), 42);
  assert.equal(infoNumber(info, 'used_memory'), 1048576);
  assert.equal(infoNumber(info, 'instantaneous_input_kbps'), 0.01);
  assert.equal(infoNumber(info, 'missing'), 0);
  assert.equal(infoNumber(info, 'missing', -1), -1);
  assert.equal(infoNumber(info, 'maxmemory_policy', 7), 7);
});

test('parseInfoFields splits composite values', () => {
  const info = parseRedisInfo(SAMPLE);
  assert.deepEqual(parseInfoFields(info.db15), { keys: '3', expires: '1', avg_ttl: '0' });
});
