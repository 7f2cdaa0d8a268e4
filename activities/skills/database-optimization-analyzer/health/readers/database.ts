// The current database: transaction ID ages, statistics reset (its own and the cluster's), server start and connection counts.
import type { PoolClient } from 'pg';
import type { HealthSnapshot } from '../snapshot';

export async function readDatabase(
  pool: PoolClient,
): Promise<Pick<HealthSnapshot, 'statsReset' | 'serverStart' | 'sharedStatsReset' | 'database' | 'serverConnections'>> {
  const result = await pool.query(
    `SELECT current_database() AS name, age(d.datfrozenxid)::float8 AS xid_age, mxid_age(d.datminmxid)::float8 AS mxid_age,
            s.stats_reset, pg_postmaster_start_time() AS started, (SELECT b.stats_reset FROM pg_stat_bgwriter b) AS shared_reset,
            (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend')::int AS connections,
            (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int AS server_connections
       FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
      WHERE d.datname = current_database()`,
  );
  const d = result.rows[0];
  return {
    statsReset: d?.stats_reset ? new Date(d.stats_reset).toISOString() : null,
    serverStart: d?.started ? new Date(d.started).toISOString() : null,
    sharedStatsReset: d?.shared_reset ? new Date(d.shared_reset).toISOString() : null,
    database: {
      name: String(d?.name ?? ''),
      xidAge: Number(d?.xid_age ?? 0),
      mxidAge: Number(d?.mxid_age ?? 0),
      connections: Number(d?.connections ?? 0),
    },
    serverConnections: Number(d?.server_connections ?? 0),
  };
}
