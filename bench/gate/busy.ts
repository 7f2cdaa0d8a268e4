// The busy neighbour: a child node process spinning one core (while (true) {}), started and stopped
// per trial set.
import { spawn, type ChildProcess } from 'node:child_process';

export interface BusyLoop {
  stop(): Promise<void>;
}

export function startBusyLoop(): BusyLoop {
  const child: ChildProcess = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
