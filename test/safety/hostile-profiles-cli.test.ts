// Hostile profiles against the schema and the real CLI binary: every case of the corpus
// (test/helpers/hostile-profiles.ts) is refused with exit code 2, in a message that names the broken
// field and shows no raw control or invisible character. No server is needed: a profile is checked
// before anything connects (TEMPORAL_ADDRESS points at a closed port, so an accepted case would fail
// differently).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { ProfileError, parseTargetProfile } from '../../common/profile';
import { buildRunInput } from '../../client/commands/run';
import { CLI_BIN, perfOrch, runCli, type CliResult } from '../helpers/cli';
import { FUZZ_SEED, corpusTarget, hostileCorpus, refusalNamesField, unprintable, type HostileCase } from '../helpers/hostile-profiles';

const target = corpusTarget(4100, 4101);
const cases = hostileCorpus(target);
const dir = mkdtempSync(join(tmpdir(), 'perf-fuzz-cli-'));
const fileOf = (c: HostileCase) => join(dir, `case-${c.id}.${c.needsYaml ? 'yaml' : 'json'}`);
for (const c of cases) writeFileSync(fileOf(c), c.needsYaml ? YAML.stringify(c.profile) : JSON.stringify(c.profile, null, 2));
const validFile = join(dir, 'valid.json');
writeFileSync(validFile, JSON.stringify(target.base, null, 2));

// Port 1: nothing listens there, so a profile that got through would fail to connect (exit 1), not hang.
const opts = { env: { ...process.env, TEMPORAL_ADDRESS: '127.0.0.1:1' }, cwd: dir, maxBuffer: 64 << 20 };
// perf-orch from the bundle (test/helpers/cli.ts); binCli runs bin/perf-orch, the user's entry point.
const cli = (args: string[]): Promise<CliResult> => perfOrch(args, opts);
const binCli = (args: string[]): Promise<CliResult> => runCli(CLI_BIN, args, opts);

const show = (c: HostileCase, out: string) => `case ${c.id} (${c.what}, seed ${FUZZ_SEED}): ${JSON.stringify(out.slice(0, 600))}`;

test('the corpus covers every kind of hostile input, and its base profile is valid', () => {
  const kinds = new Set(cases.map((c) => c.category));
  assert.deepEqual([...kinds].sort(), ['control', 'credentials', 'number', 'scheme', 'template', 'unicode', 'unknown-key']);
  assert.ok(cases.length > 250, `${cases.length} cases`);
  assert.deepEqual(
    hostileCorpus(target).map((c) => c.what),
    cases.map((c) => c.what),
    'the same seed gives the same corpus',
  );
  parseTargetProfile(structuredClone(target.base));
});

test('the schema refuses every hostile profile, naming the field in a printable message', () => {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      parseTargetProfile(c.needsYaml ? structuredClone(c.profile) : JSON.parse(JSON.stringify(c.profile)), fileOf(c));
      failures.push(`accepted: ${show(c, '')}`);
    } catch (err) {
      const m = (err as Error).message;
      if (!(err instanceof ProfileError)) failures.push(`not a ProfileError: ${show(c, m)}`);
      else if (!refusalNamesField(m, c)) failures.push(`field ${c.field} not named: ${show(c, m)}`);
      else if (unprintable(m)) failures.push(`raw ${JSON.stringify(unprintable(m))} in the message: ${show(c, m)}`);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases:\n${failures.slice(0, 40).join('\n')}`);
});

test('perf-orch check: each hostile file is refused (exit 2) naming its field; a valid one passes', async () => {
  const ok = await binCli(['check', validFile]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /ok .*valid\.json: target fuzz|ok .*valid\.json: target shop/);

  // One process checks the whole corpus (and the valid file, which must not hide the others' failure).
  const all = await cli(['check', validFile, ...cases.map(fileOf)]);
  assert.equal(all.code, 2, all.stderr.slice(0, 2000));
  assert.match(all.stdout, /valid\.json/);
  const blocks = all.stderr.split(/^error: /m).filter(Boolean);
  const failures: string[] = [];
  for (const c of cases) {
    const block = blocks.find((b) => b.startsWith(`Invalid target profile ${fileOf(c)}:`));
    if (!block) failures.push(`no refusal: ${show(c, all.stdout)}`);
    else if (!refusalNamesField(block, c)) failures.push(`field ${c.field} not named: ${show(c, block)}`);
    else if (unprintable(block)) failures.push(`raw ${JSON.stringify(unprintable(block))} on the terminal: ${show(c, block)}`);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases:\n${failures.slice(0, 40).join('\n')}`);
});

test('perf-orch run refuses them before connecting to anything: exit 2, the field named', async () => {
  // Two cases of each kind, one process each, three at a time.
  const sample = [...new Set(cases.map((c) => c.category))].flatMap((k) => {
    const of = cases.filter((c) => c.category === k);
    return [of[0], of[Math.floor(of.length / 2)]];
  });
  const failures: string[] = [];
  for (let i = 0; i < sample.length; i += 3) {
    const batch = sample.slice(i, i + 3);
    const results = await Promise.all(batch.map((c) => cli(['run', '--target', fileOf(c)])));
    batch.forEach((c, j) => {
      const r = results[j];
      if (r.code !== 2) failures.push(`exit ${r.code}: ${show(c, r.stderr)}`);
      else if (!refusalNamesField(r.stderr, c)) failures.push(`field ${c.field} not named: ${show(c, r.stderr)}`);
      else if (unprintable(r.stderr)) failures.push(`raw ${JSON.stringify(unprintable(r.stderr))}: ${show(c, r.stderr)}`);
    });
  }
  assert.deepEqual(failures, [], failures.join('\n'));
});

test('perf-orch run --base-url: a hostile override is refused like the profile field (exit 2), before anything starts', async () => {
  const overrides = [
    'http://user:secret@127.0.0.1:4100',
    'http://１２７.0.0.1:4100',
    'http://127.0.0.1:4100\r\n',
    'http://127.0.0.1\u200b:4100',
  ];
  const results = await Promise.all(overrides.map((u) => cli(['run', '--target', validFile, '--base-url', u])));
  results.forEach((r, i) => {
    const what = `--base-url ${JSON.stringify(overrides[i])}: exit ${r.code}, ${JSON.stringify(r.stderr.slice(0, 400))}`;
    assert.equal(r.code, 2, what);
    assert.match(r.stderr, /--base-url/, what);
    assert.match(r.stderr, /^ {2}- http\.baseUrl: /m, what);
    assert.equal(unprintable(r.stderr), null, what);
  });
  // A plain override still moves the run (another deployment: the process section is dropped).
  const moved = buildRunInput({
    target: validFile,
    baseUrl: 'http://shop:3100',
    tier: 'auto',
    approvalTimeout: '1h',
    onApprovalTimeout: 'end',
    reports: dir,
  });
  assert.equal(moved.target.http.baseUrl, 'http://shop:3100');
  assert.deepEqual(moved.target.process, {});
});
