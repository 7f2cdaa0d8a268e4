// The finding that lists the analysis extensions a database lacks, with the steps to enable them.
import type { Finding } from '../../../common/types';
import { enableSteps, usable, type ExtensionState } from '../../postgres/extensions';
import { effortDays } from '../../../common/rules/effort';

/** One finding listing every optional extension that is missing, with its steps; null when all are usable. */
export function missingExtensionsFinding(states: ExtensionState[], preloadNow: string[], database: string): Finding | null {
  const missing = states.filter((e) => !usable(e));
  if (missing.length === 0) return null;
  const steps = missing.flatMap((e) => enableSteps(e, preloadNow, database).map((s) => `${e.name}: ${s}`));
  const needsRestart = missing.some((e) => e.needsPreload && !e.preloaded);
  return {
    id: 'db-extensions',
    layer: 'database',
    rootCause: 'missing_extension',
    title: `Enable ${missing.map((e) => e.name).join(', ')} for deeper database analysis`,
    evidence: missing.map((e) => {
      const why = !e.installed
        ? 'not installed on the server'
        : e.needsPreload && !e.preloaded
          ? 'installed but not in shared_preload_libraries'
          : 'installed but not created in this database';
      return `${e.name} (${e.purpose}): ${why}; the analysis went on without it`;
    }),
    estimatedLatencyReductionMs: 0,
    effortDays: effortDays(needsRestart ? 'config_restart' : 'extension'),
    risk: 'low',
    action: { type: 'manual', steps },
    rollback: missing
      .map(
        (e) =>
          `DROP EXTENSION ${e.name};${e.needsPreload && !e.preloaded ? ` and remove ${e.name} from shared_preload_libraries, then restart` : ''}`,
      )
      .join(' '),
    source: 'database-optimization-analyzer (extensions)',
  };
}
