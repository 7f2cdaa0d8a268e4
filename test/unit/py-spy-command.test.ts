// The py-spy command line and what its failures say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPySpy, pySpyArgs, pySpyError } from '../../activities/profiling/py-spy';

test('py-spy records the tree, by function, as speedscope, without pausing the target, whole seconds', () => {
  assert.deepEqual(pySpyArgs(300, 9.6, 100, '/tmp/x.json'), [
    'record',
    '--pid',
    '300',
    '--subprocesses',
    '--function',
    '--format',
    'speedscope',
    '--duration',
    '10',
    '--rate',
    '100',
    '--nonblocking',
    '--output',
    '/tmp/x.json',
  ]);
  assert.equal(pySpyArgs(1, 0.2, 50, 'o')[8], '1'); // at least one second
});

test("py-spy's error and its causes on one line; a refused attach names ptrace and the fix", () => {
  const denied =
    'Error: Failed to get process executable name. Check that the process is running.\n\nCaused by:\n    0: Permission denied (os error 13)\n';
  assert.equal(
    pySpyError(denied, 1),
    'py-spy exited with code 1: Error: Failed to get process executable name. Check that the process is running. Caused by: ' +
      '0: Permission denied (os error 13): py-spy needs ptrace, run the worker as root or give it CAP_SYS_PTRACE (docker: cap_add: [SYS_PTRACE], pid: host)',
  );
  assert.match(
    pySpyError('Error: No python processes found in process 11551 or any of its subprocesses\n', 1),
    /No python processes found/,
  );
  assert.equal(pySpyError('', null), 'py-spy exited with code null: no message');
  assert.equal(
    pySpyError('thread main panicked\ninvalid duration\n', 101),
    'py-spy exited with code 101: thread main panicked invalid duration',
  );
});

test('PY_SPY_PATH wins; one that does not exist is no py-spy', () => {
  assert.equal(findPySpy({ PY_SPY_PATH: process.execPath }), process.execPath);
  assert.equal(findPySpy({ PY_SPY_PATH: '/nonexistent/py-spy' }), null);
});
