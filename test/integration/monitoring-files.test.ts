// The files the observability skill stored, written beside the report by the CLI from the store; a
// store it cannot reach is said with the artifact ids, and the report is not lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { saveArtifact } from '../../activities/store/artifacts';
import { migrateStore } from '../../activities/store/schema';
import type { OutputContract } from '../../common/output-contract';
import { writeMonitoringFiles } from '../../client/monitoring-files';
import { runDatabase } from '../helpers/services';

let db: Awaited<ReturnType<typeof runDatabase>>;
let store: Pool;
let dir: string;
const saved = process.env.PERF_STORE_URL;

before(async () => {
  db = await runDatabase('perf_test_monitoring_files');
  store = new Pool({ connectionString: db.url, max: 1 });
  await migrateStore(store);
  dir = mkdtempSync(join(tmpdir(), 'perf-test-report-'));
});

after(async () => {
  process.env.PERF_STORE_URL = saved;
  if (saved === undefined) delete process.env.PERF_STORE_URL;
  await store?.end();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('the alert rules, the dashboard and the Collector config are written beside the report from the store; an unreachable store is said', async () => {
  const rules = await saveArtifact(store, 'r1', 'alert-rules', { fileName: 'x.yml', yaml: 'groups: []\n', groups: [] });
  const dash = await saveArtifact(store, 'r1', 'grafana-dashboard', { fileName: 'd.json', json: { title: 'shop' } });
  const otel = await saveArtifact(store, 'r1', 'otel-collector-config', { fileName: 'o.yaml', yaml: '# made\nreceivers: {}\n' });
  const result = {
    monitoring_files: [
      { kind: 'alert-rules', artifact_id: rules, file_name: 'alert-rules.yml' },
      { kind: 'grafana-dashboard', artifact_id: dash, file_name: 'grafana-dashboard.json' },
      { kind: 'otel-collector-config', artifact_id: otel, file_name: 'otel-collector.yaml' },
    ],
  } as unknown as OutputContract;
  const report = join(dir, 'perf-shop-r1.json');
  process.env.PERF_STORE_URL = db.url;
  const lines = await writeMonitoringFiles(result, report);
  assert.deepEqual(lines, [
    `alert-rules: ${join(dir, 'perf-shop-r1.alert-rules.yml')}`,
    `grafana-dashboard: ${join(dir, 'perf-shop-r1.grafana-dashboard.json')}`,
    `otel-collector-config: ${join(dir, 'perf-shop-r1.otel-collector.yaml')}`,
  ]);
  assert.equal(readFileSync(join(dir, 'perf-shop-r1.otel-collector.yaml'), 'utf8'), '# made\nreceivers: {}\n');
  assert.equal(readFileSync(join(dir, 'perf-shop-r1.alert-rules.yml'), 'utf8'), 'groups: []\n');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'perf-shop-r1.grafana-dashboard.json'), 'utf8')), { title: 'shop' });

  process.env.PERF_STORE_URL = 'postgres://nobody:secret@127.0.0.1:1/none';
  const [said] = await writeMonitoringFiles(result, report);
  assert.match(
    said,
    new RegExp(
      `not written: the store at postgres://nobody:\\*\\*\\*@127\\.0\\.0\\.1:1/none did not answer .*artifacts alert-rules ${rules}, grafana-dashboard ${dash}, otel-collector-config ${otel}`,
    ),
  );
  assert.ok(!said.includes('secret'), 'the store password stays out');
});
