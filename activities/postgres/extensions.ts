// The analysis extensions of a database (pg_stat_statements, hypopg, pg_qualstats): whether each
// is installed, created and preloaded, and the exact steps to make a missing one usable.
import type { Pool, PoolClient } from 'pg';

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

export interface ExtensionStates {
  major: number;
  states: ExtensionState[];
  /** shared_preload_libraries as it is now, and the database's name (for the steps). */
  preload: string[];
  database: string;
}

export async function extensionStates(pool: Pool | PoolClient, names = Object.keys(KNOWN)): Promise<ExtensionStates> {
  const { rows } = await pool.query(
    `SELECT x.name AS wanted, a.name, e.extname IS NOT NULL AS created, n.nspname AS schema,
            current_setting('shared_preload_libraries') AS preload, current_setting('server_version_num')::int AS version,
            current_database() AS database
       FROM unnest($1::text[]) AS x(name)
       LEFT JOIN pg_available_extensions a ON a.name = x.name
       LEFT JOIN pg_extension e ON e.extname = x.name
       LEFT JOIN pg_namespace n ON n.oid = e.extnamespace`,
    [names],
  );
  const major = Math.floor(Number(rows[0]?.version ?? 150000) / 10000);
  const preload = String(rows[0]?.preload ?? '')
    .split(',')
    .map((s) => s.trim().replace(/^"|"$/g, ''))
    .filter(Boolean);
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
  return { major, states, preload, database: String(rows[0]?.database ?? '') };
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

/** The install step of a missing extension, for messages outside the extensions finding. */
export function installHint(e: ExtensionState): string {
  return e.package ? `apt-get install ${e.package} (Debian/Ubuntu), then CREATE EXTENSION ${e.name};` : `CREATE EXTENSION ${e.name};`;
}
