// What a notification says and how its delivery went; shared by the workflows, the activity and the tests.

export const NOTIFY_EVENTS = ['escalation', 'check_failed', 'rollback'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export interface Notification {
  /** Stable per event of a run (e.g. `<workflowId>:escalation`): the attempts of one delivery share it. */
  id: string;
  event: NotifyEvent;
  target: string;
  title: string;
  text: string;
  severity: 'warning' | 'critical';
  details: Record<string, string | number>;
  links?: { webUi?: string };
  /** When it happened (ISO 8601); Alertmanager's startsAt. Default: the time of the delivery. */
  at?: string;
}

export type NotifierKind = 'webhook' | 'alertmanager';

/** One delivery attempt as the store keeps it (no secret: the URL without credentials, query or fragment). */
export interface DeliveryRecord {
  recordId: string;
  notificationId: string;
  kind: NotifierKind;
  url: string;
  status: 'sent' | 'failed';
  httpStatus: number | null;
  attempt: number;
}

/** What sendNotifications returns per matching notifier: a notifier that is down never fails the caller. */
export type NotifyOutcome =
  ({ index: number } & DeliveryRecord) | { index: number; kind: NotifierKind; url: string; status: 'failed'; error: string };
