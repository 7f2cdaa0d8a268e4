// Where the CLI finds Temporal and its Web UI (field test: `dev server --ui-port 8391` still gave 8233 links).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { temporalConfig, webUiLink } from '../../common/temporal-config';
import { devServerEnv, devServerLines, devServerPorts } from '../../client/dev/dev-server-env';

test('without TEMPORAL_UI_URL the Web UI of a dev server on this host is its gRPC port + 1000 (the Temporal CLI default)', () => {
  assert.equal(temporalConfig({}).uiUrl, 'http://127.0.0.1:8233');
  assert.equal(temporalConfig({ TEMPORAL_ADDRESS: '127.0.0.1:7391' }).uiUrl, 'http://127.0.0.1:8391');
  assert.equal(temporalConfig({ TEMPORAL_ADDRESS: 'localhost:7400' }).uiUrl, 'http://localhost:8400');
  assert.equal(temporalConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233' }).uiUrl, 'http://127.0.0.1:8233');
  const cfg = temporalConfig({ TEMPORAL_ADDRESS: '127.0.0.1:7391', TEMPORAL_UI_URL: 'https://ui.example/' });
  assert.equal(webUiLink(cfg, 'perf-shop', 'r1'), 'https://ui.example/namespaces/default/workflows/perf-shop/r1/history');
});

test('dev server --ui-port defaults to --port + 1000', () => {
  assert.deepEqual(devServerPorts({ port: '7233' }), { port: 7233, uiPort: 8233 });
  assert.deepEqual(devServerPorts({ port: '7391' }), { port: 7391, uiPort: 8391 });
  assert.deepEqual(devServerPorts({ port: '7391', uiPort: '9000' }), { port: 7391, uiPort: 9000 });
  assert.throws(() => devServerPorts({ port: '7233', uiPort: '80a' }), /--ui-port must be a port number \(1-65535\), got "80a"/);
});

test('dev server prints the variables that make the run and status links use its UI port, only when needed', () => {
  assert.deepEqual(devServerEnv({ port: 7233, uiPort: 8233 }), {});
  assert.deepEqual(devServerEnv({ port: 7391, uiPort: 8391 }), { TEMPORAL_ADDRESS: '127.0.0.1:7391' });
  const env = devServerEnv({ port: 7233, uiPort: 8391 });
  assert.deepEqual(env, { TEMPORAL_UI_URL: 'http://127.0.0.1:8391' });
  assert.match(webUiLink(temporalConfig(env), 'perf-shop'), /^http:\/\/127\.0\.0\.1:8391\/namespaces\/default\/workflows\/perf-shop$/);
  const lines = devServerLines({ port: 7391, uiPort: 9000 }, 'x.log');
  assert.equal(lines[0], 'Temporal dev server on 127.0.0.1:7391, Web UI http://127.0.0.1:9000 (Ctrl-C stops it; log x.log)');
  assert.match(lines[1], /export TEMPORAL_ADDRESS=127\.0\.0\.1:7391 TEMPORAL_UI_URL=http:\/\/127\.0\.0\.1:9000$/);
  assert.equal(devServerLines({ port: 7233, uiPort: 8233 }, 'x.log').length, 1);
});
