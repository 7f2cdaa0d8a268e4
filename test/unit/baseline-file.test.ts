import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaselineFileError, parseBaselineFile, toBaselineFile } from '../../common/gate/baseline-file';
import type { StoredBaseline } from '../../common/gate/types';
import { sampleArtifact, sampleSummary } from '../helpers/baseline-fixtures';

const stored: StoredBaseline = {
  id: '7',
  target: 'shop',
  source: 'run:perf-shop/0b6b2c1e-1111-4222-8333-444455556666',
  pinned: true,
  note: 'release 4.2',
  createdBy: 'ci',
  createdAt: '2026-11-30T10:00:00.000Z',
  summary: sampleSummary(),
};
const file = () => JSON.parse(JSON.stringify(toBaselineFile(stored, sampleArtifact(stored.summary)))) as Record<string, unknown>;

function refused(raw: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseBaselineFile(raw, 'baseline.json'),
    (err: unknown) => {
      assert.ok(err instanceof BaselineFileError, String(err));
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('a written baseline file reads back unchanged', () => {
  const f = file();
  assert.deepEqual(parseBaselineFile(f, 'baseline.json'), f);
  assert.equal(f.format, 'perf-orch-baseline');
  assert.equal(f.version, 1);
  const noHistograms = { ...f, histograms: null };
  assert.deepEqual(parseBaselineFile(noHistograms, 'b.json'), noHistograms);
});

test('a wrong format or version is named, before any field', () => {
  refused({ ...file(), format: 'k6-summary' }, /baseline\.json: format is "k6-summary", expected "perf-orch-baseline"/);
  refused({ summary: {} }, /format is missing, expected "perf-orch-baseline"/);
  refused({ ...file(), version: 2 }, /version is 2; this perf-orch reads version 1 baseline files/);
  refused([1, 2], /holds no JSON object/);
});

test('unknown keys are refused with their path, at the top, in the summary and in its figures', () => {
  refused({ ...file(), comment: 'x' }, /\(root\): unknown key "comment"/);
  const f = file();
  (f.summary as Record<string, unknown>).p95 = 3;
  refused(f, /summary: unknown key "p95"/);
  const g = file();
  ((g.summary as { latencyMs: Record<string, unknown> }).latencyMs as Record<string, unknown>).p955 = 3;
  refused(g, /summary\.latencyMs: unknown key "p955": did you mean "p95"\?/);
  const h = file();
  ((h.summary as { endpoints: Record<string, unknown>[] }).endpoints[0] as Record<string, unknown>).path = '/p';
  refused(h, /summary\.endpoints\.0: unknown key "path"/);
});

test('missing and wrong-typed fields are named', () => {
  const { target: _t, ...noTarget } = file();
  refused(noTarget, /target: /);
  const f = file();
  (f.summary as Record<string, unknown>).throughputRps = '400';
  refused(f, /summary\.throughputRps: .*number/);
  refused({ ...file(), createdAt: 'yesterday' }, /createdAt: /);
  refused({ ...file(), target: 'Shop\r' }, /target: use 1-41 lower-case letters/);
  refused({ ...file(), histograms: { result: {} } }, /histograms\.result\.histograms: /);
  const g = file();
  (g.summary as Record<string, unknown>).errorRatePct = 140;
  refused(g, /summary\.errorRatePct: /);
});

test('file names and values are shown escaped in the message', () => {
  assert.throws(() => parseBaselineFile({ format: 'x\u001b[2J' }, 'evil\r.json'), /evil\\r\.json: format is "x\\u001b\[2J"/i);
});
