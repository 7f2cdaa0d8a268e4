// The database's state for the health checks, read from the catalog and statistics views of the
// target database (read-only queries; nothing here needs an extension).
import type { Pool, PoolClient } from 'pg';
import type { HealthSnapshot } from './snapshot';
import { readSettings } from './readers/settings';
import { readDatabase } from './readers/database';
import { readIndexes } from './readers/indexes';
import { readForeignKeys } from './readers/foreign-keys';
import { withForeignKeys } from './checks/foreign-key-index';
import { readTables } from './readers/tables';
import { readSequences } from './readers/sequences';
import { readSessions } from './readers/sessions';
import { readPreparedXacts, readReplicationSlots } from './readers/xmin-holders';

/** Bounds on each read: a catalog read waiting behind DDL (size functions take locks) fails instead of hanging. */
export interface HealthReadTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

export const DEFAULT_HEALTH_READ_TIMEOUTS: HealthReadTimeouts = { lockTimeoutMs: 2_000, statementTimeoutMs: 30_000 };

/** The snapshot, read in one READ ONLY transaction with lock and statement timeouts. */
export async function collectHealth(pool: Pool, schemas: string[], timeouts = DEFAULT_HEALTH_READ_TIMEOUTS): Promise<HealthSnapshot> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL lock_timeout = ${Math.round(timeouts.lockTimeoutMs)}`);
    await client.query(`SET LOCAL statement_timeout = ${Math.round(timeouts.statementTimeoutMs)}`);
    const snapshot = await readSnapshot(client, schemas);
    await client.query('COMMIT');
    return snapshot;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** One query at a time: they share the session (and its transaction), which runs one statement at once. */
async function readSnapshot(client: PoolClient, schemas: string[]): Promise<HealthSnapshot> {
  const { settings, blockSize } = await readSettings(client);
  const db = await readDatabase(client);
  const foreignKeys = await readForeignKeys(client, schemas);
  const indexes = withForeignKeys(await readIndexes(client, schemas), foreignKeys);
  const tables = await readTables(client, schemas);
  const sequences = await readSequences(client, schemas);
  const sessions = await readSessions(client);
  const preparedXacts = await readPreparedXacts(client);
  const replicationSlots = await readReplicationSlots(client);
  return {
    takenAt: new Date().toISOString(),
    settings,
    statsReset: db.statsReset,
    serverStart: db.serverStart,
    sharedStatsReset: db.sharedStatsReset,
    blockSize,
    database: db.database,
    serverConnections: db.serverConnections,
    indexes,
    foreignKeys,
    tables,
    sequences,
    sessions,
    preparedXacts,
    replicationSlots,
  };
}
