// Every unit test file in one process (scripts/test.sh): the unit files are pure or start their own
// small servers, so they need no process of their own, and one tsx start instead of ~80 saves about a
// minute of CPU per suite. A single file still runs alone: scripts/test.sh test/unit/x.test.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(__dirname, 'unit');
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(join(dir, file));
}
