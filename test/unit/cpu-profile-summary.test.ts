// Hot functions of a CPU profile: self and total shares on small hand-made profiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isCpuProfile,
  nodeSelfWeights,
  summarizeCpuProfile,
  type CpuProfile,
  type CpuProfileNode,
} from '../../activities/profiling/cpu-summary';
import { profileFileName } from '../../activities/profiling/cpu-profile';

const frame = (functionName: string, url = '', lineNumber = -1, columnNumber = -1) => ({
  functionName,
  scriptId: '0',
  url,
  lineNumber,
  columnNumber,
});

//  (root)
//  ├─ (program)            1 sample
//  ├─ (idle)               3 samples
//  ├─ main  app.js:1
//  │   ├─ burn  app.js:10  2 samples
//  │   │   └─ burn         2 samples (recursion: the same function)
//  │   └─ helper lib.js:5  1 sample
//  └─ (garbage collector)  1 sample
const nodes: CpuProfileNode[] = [
  { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
  { id: 2, callFrame: frame('(program)') },
  { id: 3, callFrame: frame('(idle)') },
  { id: 4, callFrame: frame('main', 'file:///srv/app.js', 0, 0), children: [6, 7] },
  { id: 5, callFrame: frame('(garbage collector)') },
  { id: 6, callFrame: frame('burn', 'file:///srv/app.js', 9, 2), children: [8] },
  { id: 7, callFrame: frame('', 'file:///srv/lib.js', 4, 0) },
  { id: 8, callFrame: frame('burn', 'file:///srv/app.js', 9, 2) },
];
const samples = [3, 3, 3, 2, 6, 6, 8, 8, 7, 5];
const profile: CpuProfile = { nodes, startTime: 0, endTime: 11_000, samples, timeDeltas: samples.map(() => 1000) };

test('self and total shares per function, recursion counted once, special nodes apart', () => {
  const d = summarizeCpuProfile(profile);
  assert.equal(d.samples, 10);
  assert.equal(d.durationMs, 11);
  assert.equal(d.idlePct, 30);
  assert.equal(d.busyPct, 70);
  assert.equal(d.programPct, 10);
  assert.equal(d.gcPct, 10);
  const byName = new Map(d.functions.map((f) => [f.functionName, f]));
  assert.deepEqual([...byName.keys()].sort(), ['(anonymous)', '(garbage collector)', 'burn', 'main']);
  assert.deepEqual(byName.get('burn'), {
    functionName: 'burn',
    url: 'file:///srv/app.js',
    lineNumber: 10,
    selfPct: 40,
    totalPct: 40,
    hot: true,
  });
  assert.deepEqual(byName.get('main'), {
    functionName: 'main',
    url: 'file:///srv/app.js',
    lineNumber: 1,
    selfPct: 0,
    totalPct: 50,
    hot: false,
  });
  assert.equal(byName.get('(anonymous)')!.selfPct, 10);
  assert.equal(byName.get('(anonymous)')!.lineNumber, 5);
  assert.equal(byName.get('(garbage collector)')!.totalPct, 10);
  // Ordered by self share, then total.
  assert.equal(d.functions[0].functionName, 'burn');
  assert.equal(d.functions[d.functions.length - 1].functionName, 'main');
});

test('threshold and top are options', () => {
  const d = summarizeCpuProfile(profile, { thresholdPct: 15, top: 2 });
  assert.equal(d.functions.length, 2);
  assert.deepEqual(
    d.functions.filter((f) => f.hot).map((f) => f.functionName),
    ['burn'],
  );
  // At exactly the threshold a function is not hot (the rule is "> 5%").
  assert.equal(summarizeCpuProfile(profile, { thresholdPct: 10 }).functions.find((f) => f.functionName === '(anonymous)')!.hot, false);
});

test('samples weigh the time to the next sample; the last one runs to endTime', () => {
  // Leaf 6 sampled at t=100, leaf 7 at t=400, leaf 6 at t=500, end at 1000: 6 weighs 300 + 500, 7 weighs 100.
  const p: CpuProfile = { nodes, startTime: 0, endTime: 1000, samples: [6, 7, 6], timeDeltas: [100, 300, 100] };
  const { weights } = nodeSelfWeights(p);
  assert.equal(weights.get(6), 800);
  assert.equal(weights.get(7), 100);
  const d = summarizeCpuProfile(p);
  assert.equal(d.functions.find((f) => f.functionName === 'burn')!.selfPct, 88.89);
  assert.equal(d.functions.find((f) => f.functionName === 'main')!.totalPct, 100);
  assert.equal(d.busyPct, 100);
});

test('profiles with hit counts only, empty profiles, and shape checks', () => {
  const hits: CpuProfile = {
    nodes: nodes.map((n) => ({ ...n, hitCount: n.id === 6 ? 3 : n.id === 3 ? 1 : 0 })),
    startTime: 0,
    endTime: 4000,
  };
  const d = summarizeCpuProfile(hits);
  assert.equal(d.samples, 4);
  assert.equal(d.functions[0].functionName, 'burn');
  assert.equal(d.functions[0].selfPct, 75);
  assert.equal(d.idlePct, 25);

  const empty = summarizeCpuProfile({ nodes: [nodes[0]], startTime: 0, endTime: 0, samples: [], timeDeltas: [] });
  assert.deepEqual(empty.functions, []);
  assert.equal(empty.busyPct, 0);

  assert.equal(isCpuProfile(profile), true);
  assert.equal(isCpuProfile({ nodes: 'x' }), false);
  assert.equal(isCpuProfile(null), false);
});

test('profile file names are safe and dated', () => {
  assert.equal(profileFileName('shop', 'abc/def 1', new Date('2026-01-02T03:04:05.678Z')), 'shop-abc_def_1-20260102T030405Z.cpuprofile');
});
