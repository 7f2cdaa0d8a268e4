import type { Pool } from 'pg';
import type { OperatorPolicy } from '../common/operator-policy';
import type { TargetConnections } from './connections';

/** What activity factories receive: the store's pool, the target connections and the worker operator's policy. */
export interface ActivityDeps {
  store: Pool;
  connections: TargetConnections;
  policy: OperatorPolicy;
}
