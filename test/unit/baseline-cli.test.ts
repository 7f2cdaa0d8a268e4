import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunRef } from '../../client/commands/baseline';
import { UsageError } from '../../client/errors';
import { baselineListText, baselineShowText, hostLoadFlag, measuredSeconds } from '../../client/render-baseline';
import type { StoredBaseline } from '../../common/gate/types';
import { sampleSummary } from '../helpers/baseline-fixtures';

const RUN = '0b6b2c1e-1111-4222-8333-444455556666';

test('--from-run WFID[/RUNID]: a run id is a UUID after the last slash; workflow ids may hold slashes', () => {
  assert.deepEqual(parseRunRef(`perf-shop/${RUN}`, '--from-run'), { workflowId: 'perf-shop', runId: RUN });
  assert.deepEqual(parseRunRef('perf-shop', '--from-run'), { workflowId: 'perf-shop' });
  assert.deepEqual(parseRunRef('team/perf-shop', '--from-run'), { workflowId: 'team/perf-shop' });
  assert.throws(
    () => parseRunRef(`/${RUN}`, '--from-check'),
    (e: unknown) => e instanceof UsageError && /--from-check needs a workflow id/.test(e.message),
  );
});

test('show: the figures, measured seconds, the host load flag and the endpoints', () => {
  const b: StoredBaseline = {
    id: '3',
    target: 'shop',
    source: 'check:c/r',
    pinned: false,
    note: null,
    createdBy: 'ci',
    createdAt: '2026-11-30T10:00:00.000Z',
    summary: sampleSummary({ host: { cores: 2, loadAvg1: 5.5, hostCpuPct: 97 } }),
  };
  const text = baselineShowText(b, false);
  assert.match(text, /^baseline 3 of target shop \(unpinned\)$/m);
  assert.match(text, /latency: +p50 10 ms, p95 22\.5 ms, p99 40 ms/);
  assert.match(text, /errors: +4 of 2000 requests \(0\.2%\): http_5xx 4/);
  assert.match(text, /measured: +5 s \(per-second series kept\)/);
  assert.match(text, /host load: +SATURATED: load average 5\.5 on 2 cores.*; host CPU 97% busy/);
  assert.match(text, /histograms: +none/);
  assert.match(text, /^products +2000 +0\.2 +10 +22\.5 +40$/m);
  assert.match(hostLoadFlag(sampleSummary()), /^ok \(load 0\.8 on 2 cores, CPU 40%\)$/);
  assert.match(hostLoadFlag(sampleSummary({ host: null })), /^not read/);
  assert.equal(measuredSeconds(sampleSummary({ perSecond: undefined, durationSeconds: 30 })), 30);
  assert.match(baselineListText([b]), /^3 +shop +unpinned +2026-11-30 10:00 +22\.5 +40 +400 +0\.2 +check:c\/r$/m);
});
