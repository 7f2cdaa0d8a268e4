import type { Pool } from 'pg';
import type { TargetConnections } from './connections';

/** What activity factories receive: the store's pool and the target connections. */
export interface ActivityDeps {
  store: Pool;
  connections: TargetConnections;
}
