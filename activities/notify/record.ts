// Every delivery attempt of a notification, in the store: what was sent, where (no secret), and how it went.
import type { Pool } from 'pg';
import { STORE_SCHEMA } from '../store/schema';
import type { DeliveryRecord, Notification, NotifierKind } from '../../common/notify/types';

export interface AttemptRow {
  notification: Notification;
  workflowId: string;
  kind: NotifierKind;
  url: string;
  status: 'sent' | 'failed';
  httpStatus: number | null;
  error: string | null;
  body: unknown;
  attempt: number;
}

export async function recordAttempt(store: Pool, row: AttemptRow): Promise<DeliveryRecord> {
  const n = row.notification;
  const { rows } = await store.query(
    `INSERT INTO ${STORE_SCHEMA}.notifications
       (notification_id, workflow_id, target, event, notifier_kind, url, status, http_status, error, body, attempt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
    [
      n.id,
      row.workflowId,
      n.target,
      n.event,
      row.kind,
      row.url,
      row.status,
      row.httpStatus,
      row.error,
      JSON.stringify(row.body),
      row.attempt,
    ],
  );
  return {
    recordId: String(rows[0].id),
    notificationId: n.id,
    kind: row.kind,
    url: row.url,
    status: row.status,
    httpStatus: row.httpStatus,
    attempt: row.attempt,
  };
}
