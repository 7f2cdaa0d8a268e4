// promtool (Debian's prometheus package, installed by scripts/prepare-services.sh): `check rules` and
// `test rules` on files the observability skill wrote. Its verdict and its output, never a throw for a
// failing check: a rule that does not pass is evidence. A missing binary is a setup error, said with the fix.
import { execFile } from 'node:child_process';
import { ApplicationFailure } from '@temporalio/common';

export interface PromtoolVerdict {
  ok: boolean;
  /** What promtool printed (stdout and stderr, at most 4,000 characters). */
  output: string;
}

export const PROMTOOL_TIMEOUT_MS = 180_000;

function promtool(args: string[], cwd?: string): Promise<PromtoolVerdict> {
  return new Promise((resolve, reject) => {
    execFile('promtool', args, { cwd, timeout: PROMTOOL_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim().slice(0, 4000);
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          ApplicationFailure.nonRetryable(
            'promtool is not installed on this worker; install it with: bash scripts/prepare-services.sh (Debian package prometheus)',
            'PromtoolMissing',
          ),
        );
        return;
      }
      if (err && err.killed) {
        reject(
          ApplicationFailure.retryable(
            `promtool ${args[0]} ${args[1]} did not finish within ${PROMTOOL_TIMEOUT_MS / 1000} s`,
            'PromtoolTimeout',
          ),
        );
        return;
      }
      resolve({ ok: !err, output });
    });
  });
}

// --lint-fatal: a duplicate rule is a failure, not a warning printed beside "SUCCESS".
export const checkRules = (file: string): Promise<PromtoolVerdict> => promtool(['check', 'rules', '--lint-fatal', file]);
export const testRules = (file: string): Promise<PromtoolVerdict> => promtool(['test', 'rules', file]);
