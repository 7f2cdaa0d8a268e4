// Which notifiers want an event, and where their requests go (no zod: the workflows import this).
import type { Notifier } from './notifier-schema';
import type { NotifyEvent } from './types';

/** The notifiers of a profile that want `event`, with their index in the list. */
export function notifiersFor(notifiers: readonly Notifier[] | undefined, event: NotifyEvent): { notifier: Notifier; index: number }[] {
  // A profile that did not go through the schema (built in code) has no default: all events.
  const wants = (n: Notifier) => (n.events as readonly NotifyEvent[] | undefined)?.includes(event) ?? true;
  return (notifiers ?? []).flatMap((notifier, index) => (wants(notifier) ? [{ notifier, index }] : []));
}

/** The URL as it may be stored and shown: no credentials, query or fragment (a token may hide there); {{env:NAME}} as written. */
export function redactedUrl(raw: string): string {
  if (!URL.canParse(raw)) return '(not a URL)';
  const u = new URL(raw);
  return `${u.origin}${u.pathname.replace(/%7B%7B/gi, '{{').replace(/%7D%7D/gi, '}}')}`;
}

/** Where a notifier's request goes: a webhook's URL itself ({{env:NAME}} not yet resolved), Alertmanager's v2 alerts API under its base URL. */
export function deliveryUrl(n: Notifier): string {
  return n.kind === 'alertmanager' ? `${n.url.replace(/\/+$/, '')}/api/v2/alerts` : n.url;
}
