// The CLI's own way into the store (baselines, trend): PERF_STORE_URL, the worker's setting and default.
import type { Pool } from 'pg';
import { DEFAULT_STORE_URL } from '../common/temporal-config';
import { withStorePool } from '../activities/store/queries/open-store';

export function storeUrl(): string {
  return process.env.PERF_STORE_URL || DEFAULT_STORE_URL;
}

export function withStore<T>(fn: (pool: Pool) => Promise<T>): Promise<T> {
  return withStorePool(storeUrl(), fn);
}

/** The store URL without its password, for messages. */
export function redactedStoreUrl(): string {
  const u = new URL(storeUrl());
  if (u.password) u.password = '***';
  return u.toString();
}
