// The processes of a service: every holder of the listening socket and its descendants, the master as root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePpid, serviceTree, type HostProcess } from '../../activities/profiling/service-processes';

const p = (pid: number, ppid: number, holdsSocket = false): HostProcess => ({ pid, ppid, holdsSocket });

test('a single process: itself', () => {
  assert.deepEqual(serviceTree([p(1, 0), p(50, 1), p(60, 50, true), p(70, 1)]), { root: 60, roots: [60], pids: [60] });
});

test('a pre-fork server (gunicorn -w 3): the master and its workers all hold the socket; the master is the root', () => {
  // The shell 50 started the master 300; workers 301-303 (a worker pid may be lower than the master's after a wrap).
  const procs = [p(1, 0), p(50, 1), p(300, 50, true), p(301, 300, true), p(302, 300, true), p(20, 300, true), p(900, 1)];
  assert.deepEqual(serviceTree(procs), { root: 300, roots: [300], pids: [300, 20, 301, 302] });
});

test('a Node cluster: only the primary holds the socket; its worker children count too', () => {
  const procs = [p(1, 0), p(400, 1, true), p(401, 400), p(402, 400), p(403, 402), p(500, 1)];
  assert.deepEqual(serviceTree(procs), { root: 400, roots: [400], pids: [400, 401, 402, 403] });
});

test('two unrelated trees holding the socket: both, the lower root first; nobody: null', () => {
  const procs = [p(1, 0), p(700, 1, true), p(701, 700, true), p(600, 1, true)];
  assert.deepEqual(serviceTree(procs), { root: 600, roots: [600, 700], pids: [600, 700, 701] });
  assert.equal(serviceTree([p(1, 0), p(2, 1)]), null);
  assert.equal(serviceTree([]), null);
});

test('the parent pid of /proc/PID/stat, command names with spaces and parentheses', () => {
  assert.equal(parsePpid('42 (gunicorn: worker [app]) S 41 42 42 0 -1 4194560'), 41);
  assert.equal(parsePpid('7 (a) b) R 1 7 7'), 1);
});
