// The report's line for an extension a run created in the target's database.
import type { CreatedExtension } from './types';

/** 'created extension hypopg in database "shop" (schema public); it stays for later runs: drop it with ...'. */
export function createdExtensionStep(x: CreatedExtension): string {
  return (
    `created extension ${x.name} in database "${x.database}" (schema ${x.schema}); it stays for later runs: ` +
    `drop it with DROP EXTENSION ${x.name}; in that database when no run is under way`
  );
}
