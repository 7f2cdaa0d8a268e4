// database.logFile: the profile field, the operator's directories (PERF_DB_LOG_DIRS), and reading
// only the window's part of the file (a real file in a temporary directory: growth, rotation, the
// byte cap, symbolic links out of the allowed directory, a FIFO, a directory).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_OPERATOR_POLICY,
  logFileAllowed,
  OperatorPolicyError,
  parseOperatorPolicy,
  rulesDirAllowed,
} from '../../common/operator-policy';
import { policyIssues } from '../../common/policy-check';
import { parseTargetProfile, ProfileError } from '../../common/profile';
import { logPosition, readLogSince, windowRange } from '../../activities/postgres/log-file';
import { logSettingsProblem } from '../../activities/profiling/database-log';

const profile = (logFile: unknown) =>
  parseTargetProfile({
    name: 'shop',
    http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'home', path: '/' }] },
    targets: { p95Ms: 50, p99Ms: 100, throughputRps: 10 },
    database: { urlEnv: 'SHOP_DATABASE_URL', logFile },
  });

const dir = mkdtempSync(join(tmpdir(), 'perf-logparams-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('profile: database.logFile is an absolute path written plainly; a wrong one is named with the fix', () => {
  assert.equal(profile('/var/log/postgresql/postgresql-15-main.log').database!.logFile, '/var/log/postgresql/postgresql-15-main.log');
  const wrong: [unknown, RegExp][] = [
    ['postgresql.log', /database\.logFile: must be an absolute path on the worker's host/],
    ['/var/log/postgresql/../../etc/shadow', /database\.logFile: must name a file plainly: no "\.", "\.\." or empty segment/],
    ['/var/log/postgresql/', /no trailing "\/"/],
    ['/var/log/x\n.log', /must not contain control characters/],
    [42, /database\.logFile: .*string/i],
  ];
  for (const [value, message] of wrong)
    assert.throws(
      () => profile(value),
      (e: Error) => e instanceof ProfileError && message.test(e.message),
    );
});

test('operator: PERF_DB_LOG_DIRS (default /var/log/postgresql); a profile log outside them is refused before the run', () => {
  assert.deepEqual(DEFAULT_OPERATOR_POLICY.logDirs, ['/var/log/postgresql']);
  assert.deepEqual(parseOperatorPolicy({ PERF_DB_LOG_DIRS: '/srv/pg/log/, /var/log/postgresql' }).logDirs, [
    '/srv/pg/log',
    '/var/log/postgresql',
  ]);
  assert.throws(
    () => parseOperatorPolicy({ PERF_DB_LOG_DIRS: 'log' }),
    (e: Error) => e instanceof OperatorPolicyError && /PERF_DB_LOG_DIRS: "log"/.test(e.message),
  );
  assert.throws(() => parseOperatorPolicy({ PERF_DB_LOG_DIRS: '/var/log/../etc' }), OperatorPolicyError);
  assert.equal(logFileAllowed(DEFAULT_OPERATOR_POLICY, '/var/log/postgresql/postgresql-15-main.log'), true);
  assert.equal(logFileAllowed(DEFAULT_OPERATOR_POLICY, '/var/log/postgresql-evil/x.log'), false, 'a prefix of a name is no directory');
  const issues = policyIssues(profile('/etc/shadow'), DEFAULT_OPERATOR_POLICY);
  assert.deepEqual(
    issues.map((i) => i.path.join('.')),
    ['database.logFile'],
  );
  assert.match(issues[0].message, /\/etc\/shadow is not under this worker's PERF_DB_LOG_DIRS \(allowed: \/var\/log\/postgresql\)/);
  assert.deepEqual(policyIssues(profile('/var/log/postgresql/postgresql-15-main.log'), DEFAULT_OPERATOR_POLICY), []);
});

test('window range: from the remembered size; from 0 when the file was replaced or shrank; capped', () => {
  const at = { dev: 1, ino: 2, size: 100 };
  assert.deepEqual(windowRange(at, { ...at, size: 150 }, 1000), { start: 100, end: 150, rotated: false, truncated: false });
  assert.deepEqual(windowRange(at, { ...at, size: 40 }, 1000), { start: 0, end: 40, rotated: true, truncated: false });
  assert.deepEqual(windowRange(at, { ...at, ino: 3, size: 400 }, 1000), { start: 0, end: 400, rotated: true, truncated: false });
  assert.deepEqual(windowRange(at, { ...at, size: 5000 }, 1000), { start: 100, end: 1100, rotated: false, truncated: true });
});

test('reading the window: only what was written after the start, whole lines; rotation; the byte cap', async () => {
  const file = join(dir, 'postgresql.log');
  writeFileSync(file, 'before the window\n');
  const start = await logPosition(file, [dir]);
  appendFileSync(file, 'line 1\nline 2\npartial');
  assert.deepEqual(await readLogSince(file, [dir], start), { text: 'line 1\nline 2', bytes: 21, rotated: false, truncated: false });
  const capped = await readLogSince(file, [dir], start, 10);
  assert.deepEqual([capped.text, capped.truncated], ['line 1', true]);
  renameSync(file, `${file}.1`);
  writeFileSync(file, 'new file\n');
  const rotated = await readLogSince(file, [dir], start);
  assert.deepEqual([rotated.text, rotated.rotated], ['new file', true]);
});

test('the file is checked where it really is: no symbolic link out of the directories, no FIFO or directory', async () => {
  const allowed = join(dir, 'allowed');
  mkdirSync(allowed);
  writeFileSync(join(dir, 'secret'), 'password=x\n');
  symlinkSync(join(dir, 'secret'), join(allowed, 'link.log'));
  await assert.rejects(logPosition(join(allowed, 'link.log'), [allowed]), /resolves to .*secret, outside PERF_DB_LOG_DIRS/);
  execFileSync('mkfifo', [join(allowed, 'fifo.log')]);
  await assert.rejects(logPosition(join(allowed, 'fifo.log'), [allowed]), /is not a regular file/);
  await assert.rejects(logPosition(allowed, [dir]), /is not a regular file/);
  await assert.rejects(logPosition(join(allowed, 'missing.log'), [allowed]), /cannot be read \(ENOENT\)/);
});

test('server settings that keep the log from being read are named with the fix', () => {
  assert.equal(logSettingsProblem({ destination: 'stderr', lcMessages: 'C.UTF-8' }), null);
  assert.equal(logSettingsProblem({ destination: 'stderr,csvlog', lcMessages: 'en_US.UTF-8' }), null);
  assert.match(logSettingsProblem({ destination: 'csvlog', lcMessages: 'C' })!, /only the stderr format is read/);
  assert.match(logSettingsProblem({ destination: 'stderr', lcMessages: 'de_DE.UTF-8' })!, /set lc_messages = 'C'/);
});

test('PERF_PROMETHEUS_RULES_DIRS: none by default; listed directories only, exactly', () => {
  assert.deepEqual(DEFAULT_OPERATOR_POLICY.rulesDirs, []);
  const p = parseOperatorPolicy({ PERF_PROMETHEUS_RULES_DIRS: '/etc/prometheus/rules/, /srv/rules' });
  assert.deepEqual(p.rulesDirs, ['/etc/prometheus/rules', '/srv/rules']);
  assert.equal(rulesDirAllowed(p, '/etc/prometheus/rules'), true);
  assert.equal(rulesDirAllowed(p, '/etc/prometheus/rules/'), true);
  assert.equal(rulesDirAllowed(p, '/etc/prometheus'), false);
  assert.equal(rulesDirAllowed(p, '/etc/prometheus/rules/sub'), false, 'not below it: Prometheus reads one glob');
  assert.throws(
    () => parseOperatorPolicy({ PERF_PROMETHEUS_RULES_DIRS: 'rules' }),
    /PERF_PROMETHEUS_RULES_DIRS: "rules" must be an absolute path/,
  );
});
