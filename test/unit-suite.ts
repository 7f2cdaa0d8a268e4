// Every unit test file in one process (scripts/test.sh): the unit files are pure or start their own
// small servers, so they need no process of their own, and one tsx start instead of ~80 saves about a
// minute of CPU per suite. A single file still runs alone: scripts/test.sh test/unit/x.test.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

// Timing tests (the open model's arrival times) run in a process of their own (scripts/test.sh): no
// other file's leftover timers or sockets beside them.
export const OWN_PROCESS = ['loadtest-schedule.test.ts'];

const dir = join(__dirname, 'unit');
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts') && !OWN_PROCESS.includes(f))
  .sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(dir, file));
}
