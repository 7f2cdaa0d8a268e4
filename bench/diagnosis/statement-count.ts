// Statements per request of each endpoint, measured exactly: sequential requests of one endpoint at a
// time, bracketed by pg_stat_statements readings of the target database (the readings themselves left out).
import { Client } from 'pg';
import type { TargetProfile } from '../../common/profile';

/** The path with each {{int:MIN:MAX}} replaced by a value spread over its range (deterministic). */
export function concretePath(path: string, i: number): string {
  return path.replace(/\{\{int:(\d+):(\d+)\}\}/g, (_m, lo: string, hi: string) => {
    const [a, b] = [Number(lo), Number(hi)];
    return String(a + ((i * 7919) % (b - a + 1)));
  });
}

async function totalCalls(admin: Client, database: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    `SELECT coalesce(sum(calls), 0)::bigint AS n FROM pg_stat_statements s
      WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = $1) AND s.query NOT LIKE '%pg_stat_statements%'`,
    [database],
  );
  return Number(rows[0].n);
}

export async function statementsPerRequest(opts: {
  target: TargetProfile;
  databaseUrl: string;
  database: string;
  requests?: number;
}): Promise<Record<string, number>> {
  const n = opts.requests ?? 5;
  const admin = new Client({ connectionString: opts.databaseUrl });
  await admin.connect();
  const out: Record<string, number> = {};
  try {
    for (const e of opts.target.http.endpoints) {
      const url = (i: number) => new URL(concretePath(e.path, i), opts.target.http.baseUrl).toString();
      await (await fetch(url(0))).arrayBuffer(); // warm: ORM metadata, connections
      const before = await totalCalls(admin, opts.database);
      for (let i = 1; i <= n; i++) {
        const res = await fetch(url(i));
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${e.name}: ${url(i)} answered ${res.status}`);
      }
      out[e.name] = (await totalCalls(admin, opts.database)) - before;
      out[e.name] /= n;
    }
  } finally {
    await admin.end();
  }
  return out;
}
