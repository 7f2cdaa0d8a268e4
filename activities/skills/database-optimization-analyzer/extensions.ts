// Which optional extensions the analysis can use, and the exact steps to enable the missing ones.
import type { Pool } from 'pg';
import type { Finding } from '../../../common/types';

export interface ExtensionState {
  name: string;
  /** The server has the extension's files (pg_available_extensions). */
  installed: boolean;
  /** CREATE EXTENSION was run in this database. */
  created: boolean;
  schema: string | null;
  /** Needs shared_preload_libraries. */
  needsPreload: boolean;
  preloaded: boolean;
  /** Debian/Ubuntu package for PostgreSQL <major>. */
  package: string | null;
  purpose: string;
}

const KNOWN: Record<string, { needsPreload: boolean; package: (major: number) => string | null; purpose: string }> = {
  pg_stat_statements: {
    needsPreload: true,
    package: () => null, // in postgresql-contrib / the server package
    purpose: 'the statements of the load window (required)',
  },
  hypopg: {
    needsPreload: false,
    package: (m) => `postgresql-${m}-hypopg`,
    purpose: 'hypothetical indexes: every proposed index is checked against the planner before it is built',
  },
  pg_qualstats: {
    needsPreload: true,
    package: (m) => `postgresql-${m}-pg-qualstats`,
    purpose: 'the predicates the workload really evaluates and how many rows they filter (PoWA-style evidence)',
  },
};

export async function extensionStates(pool: Pool, names = Object.keys(KNOWN)): Promise<{ major: number; states: ExtensionState[] }> {
  const { rows } = await pool.query(
    `SELECT x.name AS wanted, a.name, e.extname IS NOT NULL AS created, n.nspname AS schema,
            current_setting('shared_preload_libraries') AS preload, current_setting('server_version_num')::int AS version
       FROM unnest($1::text[]) AS x(name)
       LEFT JOIN pg_available_extensions a ON a.name = x.name
       LEFT JOIN pg_extension e ON e.extname = x.name
       LEFT JOIN pg_namespace n ON n.oid = e.extnamespace`,
    [names],
  );
  const major = Math.floor(Number(rows[0]?.version ?? 150000) / 10000);
  const preload = String(rows[0]?.preload ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^"|"$/g, ''));
  const byName = new Map(rows.map((r) => [String(r.wanted), r]));
  const states = names.map((name) => {
    const r = byName.get(name);
    const k = KNOWN[name];
    return {
      name,
      installed: r?.name != null,
      created: Boolean(r?.created),
      schema: r?.schema ?? null,
      needsPreload: k?.needsPreload ?? false,
      preloaded: preload.includes(name),
      package: k?.package(major) ?? null,
      purpose: k?.purpose ?? '',
    };
  });
  return { major, states };
}

/** The exact steps to make one extension usable, or [] when it is. */
export function enableSteps(e: ExtensionState, preloadNow: string[], database: string): string[] {
  const steps: string[] = [];
  if (!e.installed)
    steps.push(
      e.package
        ? `install it on the database server: apt-get install ${e.package} (Debian/Ubuntu; RPM: ` +
            `${e.package.replace(/^postgresql-(\d+)-/, '$1_').replace(/-/g, '_')})`
        : `install the PostgreSQL contrib package that provides ${e.name}`,
    );
  if (e.needsPreload && !e.preloaded) {
    const list = [...preloadNow.filter(Boolean), e.name].join(', ');
    steps.push(`ALTER SYSTEM SET shared_preload_libraries = '${list}';`, 'restart PostgreSQL (the library loads at start)');
  }
  if (!e.created) steps.push(`CREATE EXTENSION IF NOT EXISTS ${e.name}; -- in database "${database}", as its owner or a superuser`);
  return steps;
}

export function usable(e: ExtensionState): boolean {
  return e.installed && e.created && (!e.needsPreload || e.preloaded);
}

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
    effortDays: needsRestart ? 0.25 : 0.1,
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
