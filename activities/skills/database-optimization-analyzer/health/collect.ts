// The database's state for the health checks, read from the catalog and statistics views of the
// target database (read-only queries; nothing here needs an extension).
import type { Pool } from 'pg';
import type { HealthSnapshot } from './snapshot';
import { readSettings } from './readers/settings';
import { readDatabase } from './readers/database';
import { readIndexes } from './readers/indexes';
import { readTables } from './readers/tables';
import { readSequences } from './readers/sequences';
import { readSessions } from './readers/sessions';
import { readPreparedXacts, readReplicationSlots } from './readers/xmin-holders';

export async function collectHealth(pool: Pool, schemas: string[]): Promise<HealthSnapshot> {
  const [{ settings, blockSize }, db, indexes, tables, sequences, sessions, preparedXacts, replicationSlots] = await Promise.all([
    readSettings(pool),
    readDatabase(pool),
    readIndexes(pool, schemas),
    readTables(pool, schemas),
    readSequences(pool, schemas),
    readSessions(pool),
    readPreparedXacts(pool),
    readReplicationSlots(pool),
  ]);
  return {
    takenAt: new Date().toISOString(),
    settings,
    statsReset: db.statsReset,
    serverStart: db.serverStart,
    blockSize,
    database: db.database,
    serverConnections: db.serverConnections,
    indexes,
    tables,
    sequences,
    sessions,
    preparedXacts,
    replicationSlots,
  };
}
