// The profile's `notifiers`: where escalations, failed checks and rollbacks are sent. Hosts follow the
// one allowed-host rule (http.baseUrl's host or http.allowedHosts, and the worker's PERF_TARGET_HOSTS);
// a webhook's signing secret is named by environment variable, resolved on the worker.
import { z } from 'zod';
import { contactUrl } from '../profile-checks';
import { NOTIFY_EVENTS } from './types';
import { urlPlaceholderIssue } from './url-secret';

const url = contactUrl(/https?/, 'must be an absolute http(s) URL such as http://127.0.0.1:9093');
// A webhook's path or query may name its secret part as {{env:NAME}} (a Slack webhook's path is its token).
const webhookUrl = url.superRefine((u, ctx) => {
  const issue = urlPlaceholderIssue(u);
  if (issue) ctx.addIssue({ code: 'custom', message: issue });
});
const alertmanagerUrl = url.superRefine((u, ctx) => {
  if (u.includes('{{')) ctx.addIssue({ code: 'custom', message: "Alertmanager's base URL takes no {{...}}: write it plainly" });
});
const events = z
  .array(z.enum(NOTIFY_EVENTS))
  .min(1, `list at least one event (${NOTIFY_EVENTS.join(', ')}), or leave events out for all of them`)
  .default([...NOTIFY_EVENTS]);

export const WebhookNotifierSchema = z.strictObject({
  kind: z.literal('webhook'),
  // Receives Slack-compatible JSON (text + blocks) by POST. A secret part of its path or query as {{env:NAME}}.
  url: webhookUrl,
  // The HMAC-SHA256 key of the X-Perf-Orch-Signature header: the NAME of the worker's environment variable holding it.
  secretEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the NAME of an environment variable (e.g. SHOP_NOTIFY_SECRET), never its value')
    .optional(),
  events,
});

export const AlertmanagerNotifierSchema = z.strictObject({
  kind: z.literal('alertmanager'),
  // Alertmanager's base URL (e.g. http://127.0.0.1:9093); alerts go to <url>/api/v2/alerts.
  url: alertmanagerUrl,
  // Named here so that the mistake gets its own message (the union's keys would call it known).
  secretEnv: z.never({ error: 'Alertmanager alerts are not signed: remove secretEnv (only a webhook notifier takes one)' }).optional(),
  events,
});

export const NotifierSchema = z.discriminatedUnion('kind', [WebhookNotifierSchema, AlertmanagerNotifierSchema]);
export type Notifier = z.infer<typeof NotifierSchema>;

export const NotifiersSchema = z.array(NotifierSchema).max(10, 'at most 10 notifiers');

/** The notifiers whose hosts the profile does not allow (hostAllowed: the profile's one rule). */
export function notifierHostIssues(
  notifiers: readonly { url: string }[] | undefined,
  hostAllowed: (host: string) => boolean,
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  (notifiers ?? []).forEach((n, i) => {
    if (typeof n.url !== 'string' || !URL.canParse(n.url)) return;
    const host = new URL(n.url).hostname;
    if (!hostAllowed(host)) {
      out.push({
        path: ['notifiers', i, 'url'],
        message: `host ${host} is neither http.baseUrl's host nor in http.allowedHosts; add it to http.allowedHosts to send notifications there`,
      });
    }
  });
  return out;
}
