// Hot functions of py-spy's speedscope files: shares of one core over the window, several
// processes, native frames charged to their Python callers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isSpeedscopeFile,
  mergeSpeedscope,
  pythonFrameKind,
  summarizeSpeedscope,
  type SampledProfile,
  type SpeedscopeFile,
} from '../../activities/profiling/speedscope-summary';

const APP = '/srv/app.py';
// As py-spy --subprocesses --function writes them: a process line per process in the chain, then Python frames.
const frames = [
  { name: 'process 100:"python app.py --workers 2"', file: '', line: 0, col: null }, // 0: the master
  { name: 'process 101:"python app.py --workers 2"', file: '', line: 0, col: null }, // 1: worker
  { name: 'process 102:"python app.py --workers 2"', file: '', line: 0, col: null }, // 2: worker
  { name: '<module>', file: APP, line: 1, col: null }, // 3
  { name: 'Handler.do_GET', file: APP, line: 30, col: null }, // 4
  { name: 'hot_checksum', file: APP, line: 19, col: null }, // 5
  { name: 'sock_sendall', file: '/usr/lib/python3.11/Modules/socketmodule.c', line: 4269, col: null }, // 6: native
  { name: 'send', file: '/usr/lib/x86_64-linux-gnu/libc.so.6', line: 0, col: null }, // 7: native
  { name: '_SocketWriter.write', file: '/usr/lib/python3.11/socketserver.py', line: 830, col: null }, // 8
];

function sampled(name: string, samples: number[][], weight = 0.01): SampledProfile {
  return {
    type: 'sampled',
    name,
    unit: 'seconds',
    startValue: 0,
    endValue: samples.length * weight,
    samples,
    weights: samples.map(() => weight),
  };
}

const repeat = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);

// Window 1 s at 100 Hz. Worker 101: 60 samples in hot_checksum, 10 in do_GET itself.
// Worker 102: 40 in hot_checksum, 20 in the socket write's native send (called from _SocketWriter.write).
const file: SpeedscopeFile = {
  $schema: 'https://www.speedscope.app/file-format-schema.json',
  shared: { frames },
  profiles: [
    sampled('Process 101 Thread 101 "MainThread"', [...repeat(60, [0, 1, 3, 4, 5]), ...repeat(10, [0, 1, 3, 4])]),
    sampled('Process 102 Thread 102 "MainThread"', [...repeat(40, [0, 2, 3, 4, 5]), ...repeat(20, [0, 2, 3, 4, 8, 6, 7])]),
  ],
  name: 'py-spy profile',
  exporter: 'py-spy@0.4.3',
};

test('shares are of one core over the window, summed over the workers; the hot function first', () => {
  const d = summarizeSpeedscope(file, { windowSeconds: 1 });
  assert.equal(d.samples, 130);
  assert.equal(d.threads, 2);
  assert.deepEqual(d.pids, [101, 102]);
  assert.equal(d.durationMs, 1000);
  assert.equal(d.busyPct, 130); // two workers: more than one core
  assert.deepEqual(d.functions[0], { functionName: 'hot_checksum', url: APP, lineNumber: 19, selfPct: 100, totalPct: 100, hot: true });
  const by = new Map(d.functions.map((f) => [f.functionName, f]));
  assert.equal(by.get('Handler.do_GET')!.selfPct, 10);
  assert.equal(by.get('Handler.do_GET')!.totalPct, 130);
  assert.equal(by.get('<module>')!.totalPct, 130);
  // py-spy's process lines are not functions.
  assert.ok(![...by.keys()].some((n) => n.startsWith('process ')));
});

test('native frames are charged to the nearest Python caller and never hot', () => {
  const d = summarizeSpeedscope(file, { windowSeconds: 1 });
  const by = new Map(d.functions.map((f) => [f.functionName, f]));
  assert.deepEqual(by.get('_SocketWriter.write'), {
    functionName: '_SocketWriter.write',
    url: '/usr/lib/python3.11/socketserver.py',
    lineNumber: 830,
    selfPct: 20,
    totalPct: 20,
    hot: true,
  });
  assert.deepEqual(by.get('send'), {
    functionName: 'send',
    url: '/usr/lib/x86_64-linux-gnu/libc.so.6',
    lineNumber: 0,
    selfPct: 20,
    totalPct: 20,
    hot: false,
    calledFrom: '_SocketWriter.write /usr/lib/python3.11/socketserver.py:830',
  });
  assert.equal(by.get('sock_sendall')!.selfPct, 0); // not the leaf
  assert.equal(by.get('sock_sendall')!.hot, false);
});

test('a longer window lowers the shares; threshold and top are options', () => {
  const d = summarizeSpeedscope(file, { windowSeconds: 4, thresholdPct: 10, top: 3 });
  assert.equal(d.busyPct, 32.5);
  assert.equal(d.functions.length, 3);
  assert.deepEqual(
    d.functions.map((f) => [f.functionName, f.selfPct, f.hot]),
    [
      ['hot_checksum', 25, true],
      ['_SocketWriter.write', 5, false],
      ['send', 5, false],
    ],
  );
});

test('units, empty and odd profiles', () => {
  const ms: SpeedscopeFile = {
    shared: { frames },
    profiles: [{ ...sampled('Process 7 Thread 7', [[3, 5]]), unit: 'milliseconds', weights: [500] }],
  };
  assert.equal(summarizeSpeedscope(ms, { windowSeconds: 1 }).functions[0].selfPct, 50);
  const counts: SpeedscopeFile = {
    shared: { frames },
    profiles: [{ ...sampled('Process 7 Thread 7', [[3, 5]]), unit: 'none', weights: [25] }],
  };
  assert.equal(summarizeSpeedscope(counts, { windowSeconds: 1, rate: 100 }).functions[0].selfPct, 25);
  const evented: SpeedscopeFile = { shared: { frames }, profiles: [{ type: 'evented', name: 'x' }] };
  assert.deepEqual(summarizeSpeedscope(evented, { windowSeconds: 1 }), {
    samples: 0,
    durationMs: 1000,
    busyPct: 0,
    pids: [],
    threads: 0,
    functions: [],
  });
  // Unknown frame indexes are dropped, not thrown on.
  const odd: SpeedscopeFile = { shared: { frames }, profiles: [sampled('Thread 1', [[3, 99], []])] };
  assert.equal(summarizeSpeedscope(odd, { windowSeconds: 1 }).samples, 1);
  assert.equal(summarizeSpeedscope(file, { windowSeconds: 0 }).busyPct, 0);
});

test('frame kinds, shape check and merging files of several process trees', () => {
  assert.equal(pythonFrameKind({ name: 'f', file: '/a/b.py' }), 'code');
  assert.equal(pythonFrameKind({ name: '_find_and_load', file: '<frozen importlib._bootstrap>' }), 'code');
  assert.equal(pythonFrameKind({ name: 'thread 0x7f00 "x"', file: '' }), 'hidden');
  assert.equal(pythonFrameKind({ name: 'PyEval_EvalFrameDefault', file: '/usr/lib/libpython3.11.so.1.0' }), 'native');
  assert.equal(pythonFrameKind({ name: '0x7fdcae44524a', file: '' }), 'native');
  assert.equal(isSpeedscopeFile(file), true);
  assert.equal(isSpeedscopeFile({ shared: {}, profiles: [] }), false);
  assert.equal(isSpeedscopeFile(null), false);

  const other: SpeedscopeFile = {
    shared: { frames: [{ name: 'slow', file: '/other.py', line: 3 }] },
    profiles: [sampled('Process 300 Thread 300', repeat(50, [0]))],
  };
  const merged = mergeSpeedscope([file, other]);
  assert.equal(merged.shared.frames.length, frames.length + 1);
  const d = summarizeSpeedscope(merged, { windowSeconds: 1 });
  assert.deepEqual(d.pids, [101, 102, 300]);
  assert.equal(d.functions.find((f) => f.functionName === 'slow')!.selfPct, 50);
  assert.equal(d.functions[0].functionName, 'hot_checksum');
  assert.equal(mergeSpeedscope([file]), file);
});
