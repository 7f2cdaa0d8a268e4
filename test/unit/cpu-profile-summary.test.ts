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

// Native frames (no script URL) are charged to their JavaScript caller and never flagged hot.
//  (root)
//  ├─ handler  app.js:3
//  │   ├─ writeResponse app.js:20
//  │   │   └─ writev (native)         6 samples
//  │   │        └─ writeBuffer (native) 2 samples: nested natives go to the same JS caller
//  │   └─ parse  app.js:40             1 sample
//  ├─ writev (native, no JS caller)    1 sample
//  └─ (garbage collector)              0 samples
test('native frames charge their self time to the nearest JavaScript caller and are never hot', () => {
  const n: CpuProfileNode[] = [
    { id: 1, callFrame: frame('(root)'), children: [2, 6] },
    { id: 2, callFrame: frame('handler', 'file:///srv/app.js', 2, 0), children: [3, 5] },
    { id: 3, callFrame: frame('writeResponse', 'file:///srv/app.js', 19, 0), children: [4] },
    { id: 4, callFrame: frame('writev'), children: [7] },
    { id: 5, callFrame: frame('parse', 'file:///srv/app.js', 39, 0) },
    { id: 6, callFrame: frame('writev') },
    { id: 7, callFrame: frame('writeBuffer') },
  ];
  const s = [4, 4, 4, 4, 4, 4, 7, 7, 5, 6];
  const d = summarizeCpuProfile({ nodes: n, startTime: 0, endTime: 10_000, samples: s, timeDeltas: s.map(() => 1000) });
  const by = new Map(d.functions.map((f) => [f.functionName, f]));
  // writeResponse: its own 0 + writev's 6 + writeBuffer's 2 samples.
  assert.deepEqual(by.get('writeResponse'), {
    functionName: 'writeResponse',
    url: 'file:///srv/app.js',
    lineNumber: 20,
    selfPct: 80,
    totalPct: 80,
    hot: true,
  });
  // writev: listed with its own share (both stacks: 6 + 1 samples), never hot, the caller named.
  assert.deepEqual(by.get('writev'), {
    functionName: 'writev',
    url: '',
    lineNumber: 0,
    selfPct: 70,
    totalPct: 90,
    hot: false,
    calledFrom: 'writeResponse file:///srv/app.js:20',
  });
  assert.equal(by.get('writeBuffer')!.hot, false);
  assert.equal(by.get('writeBuffer')!.calledFrom, 'writeResponse file:///srv/app.js:20');
  assert.equal(by.get('handler')!.selfPct, 0);
  assert.equal(by.get('parse')!.selfPct, 10);
  assert.equal(by.get('parse')!.hot, true);
  assert.equal(by.get('parse')!.calledFrom, undefined);
  assert.deepEqual(
    d.functions.filter((f) => f.hot).map((f) => f.functionName),
    ['writeResponse', 'parse'],
  );
  // The native function at the very top of the table still is not hot; at a 75% threshold nothing is.
  assert.equal(d.functions[0].functionName, 'writeResponse');
  assert.deepEqual(
    summarizeCpuProfile(
      { nodes: n, startTime: 0, endTime: 10_000, samples: s, timeDeltas: s.map(() => 1000) },
      { thresholdPct: 80 },
    ).functions.filter((f) => f.hot),
    [],
  );
});

test('a native leaf with no JavaScript caller keeps its time, unflagged; GC and specials are not native', () => {
  const n: CpuProfileNode[] = [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
    { id: 2, callFrame: frame('writev') },
    { id: 3, callFrame: frame('(garbage collector)') },
    { id: 4, callFrame: frame('(program)') },
  ];
  const d = summarizeCpuProfile({ nodes: n, startTime: 0, endTime: 4000, samples: [2, 2, 3, 4], timeDeltas: [1000, 1000, 1000, 1000] });
  const by = new Map(d.functions.map((f) => [f.functionName, f]));
  assert.deepEqual(by.get('writev'), { functionName: 'writev', url: '', lineNumber: 0, selfPct: 50, totalPct: 50, hot: false });
  assert.equal(by.get('(garbage collector)')!.hot, true); // GC pressure stays the application's doing
  assert.equal(by.has('(program)'), false);
  assert.equal(d.programPct, 25);
});
