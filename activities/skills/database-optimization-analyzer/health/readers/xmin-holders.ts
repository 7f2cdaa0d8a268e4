// What can hold the xmin horizon back besides sessions: prepared transactions and replication slots.
import type { PoolClient } from 'pg';
import type { HealthSnapshot } from '../snapshot';

export async function readPreparedXacts(pool: PoolClient): Promise<HealthSnapshot['preparedXacts']> {
  const result = await pool.query(`SELECT gid, (extract(epoch FROM now() - prepared) * 1000)::float8 AS age_ms FROM pg_prepared_xacts`);
  return result.rows.map((r) => ({ gid: String(r.gid), ageMs: Number(r.age_ms) }));
}

export async function readReplicationSlots(pool: PoolClient): Promise<HealthSnapshot['replicationSlots']> {
  const result = await pool.query(`SELECT slot_name, active, age(xmin)::float8 AS xmin_age FROM pg_replication_slots`);
  return result.rows.map((r) => ({
    name: String(r.slot_name),
    active: Boolean(r.active),
    xminAge: r.xmin_age === null ? null : Number(r.xmin_age),
  }));
}
