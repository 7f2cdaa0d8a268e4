// Child processes of the dev stack: started with their logs in files, stopped together.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Started {
  name: string;
  child: ChildProcess;
  log: string;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; logDir: string; cwd?: string },
): Started {
  mkdirSync(opts.logDir, { recursive: true });
  const log = join(opts.logDir, `${name}.log`);
  const out = createWriteStream(log, { flags: 'a' });
  const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  return { name, child, log };
}

export async function stopProcess(p: Started, graceMs = 10_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `check` until it resolves true; fails with the process's log path if it died or timed out. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; process?: Started },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (opts.process && opts.process.child.exitCode !== null) {
      throw new Error(`${what}: the process exited with code ${opts.process.child.exitCode}; see ${opts.process.log}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not ready after ${opts.timeoutMs / 1000}s${opts.process ? `; see ${opts.process.log}` : ''}`);
}
