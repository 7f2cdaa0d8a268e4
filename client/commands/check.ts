import type { Command } from 'commander';
import { ProfileError } from '../../common/profile';
import { loadProfileFile } from '../profile-file';

/** Checks profiles without starting anything: `ok FILE` for each valid one, the refusal for each other; exit 2 if any is refused. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('check target profiles (YAML or JSON) without starting a run; exit 2 naming the wrong fields')
    .argument('<files...>', 'target profiles, e.g. demo/targets/shop.yaml')
    .action((files: string[]) => {
      let refused = 0;
      for (const file of files) {
        try {
          const p = loadProfileFile(file);
          console.log(`ok ${file}: target ${p.name}, ${p.http.endpoints.length} endpoint(s)`);
        } catch (err) {
          if (!(err instanceof ProfileError)) throw err;
          console.error(`error: ${err.message}`);
          refused++;
        }
      }
      if (refused) process.exitCode = 2;
    });
}
