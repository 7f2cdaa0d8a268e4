// "process busy 84.7%" next to "CPU 6.7% of a core" (issue 11): the report says why the two differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuFiguresNote } from '../../common/cpu-figures';

const proc = (cpuPctAvg: number | null, pid: number | null = 4242) => ({ pid, cpuPctAvg, loadAvg1: 13.2 });

test('close figures, or a missing one, need no note', () => {
  assert.equal(cpuFiguresNote({ pid: 4242, busyPct: 43.5 }, proc(45.5)), null);
  assert.equal(cpuFiguresNote({ pid: 4242, busyPct: 60 }, proc(35.1)), null, 'under 25 points apart');
  assert.equal(cpuFiguresNote({ pid: 4242, busyPct: 84.7 }, proc(null)), null);
  assert.equal(cpuFiguresNote({ pid: 4242, busyPct: 84.7 }, null), null);
});

test('a busy main thread using little CPU waited: blocking calls or a loaded host', () => {
  const note = cpuFiguresNote({ pid: 4242, busyPct: 84.7 }, proc(6.7));
  assert.match(
    note!,
    /^main thread busy 84\.7% \(profiler samples not idle\) but CPU 6\.7% of a core \(\/proc\): the thread mostly waited/,
  );
  assert.match(note!, /blocking native call .* or for a core on a loaded host \(load 13\.2\)/);
  assert.equal(cpuFiguresNote({ pid: null, busyPct: 60 }, proc(35)), null, 'exactly 25 points apart is within');
  assert.ok(cpuFiguresNote({ pid: null, busyPct: 60.1 }, proc(35)), 'an unknown profiled pid is taken to be the same process');
});

test('more CPU than the main thread used: the other threads', () => {
  assert.match(
    cpuFiguresNote({ pid: 4242, busyPct: 40 }, proc(150))!,
    /CPU 150% of a core \(\/proc, all threads\) but main thread busy 40%: other threads/,
  );
});

test('two processes (a cluster primary and its worker, a wrapper): the figures do not compare', () => {
  const note = cpuFiguresNote({ pid: 5001, busyPct: 84.7 }, proc(6.7, 5000));
  assert.match(note!, /the CPU profile is of pid 5001 .*, the \/proc CPU of pid 5000 .*: two processes/);
  assert.match(note!, /main thread busy 84\.7% and CPU 6\.7% of a core do not compare$/);
});
