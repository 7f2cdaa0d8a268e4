// Pure builders of what a notifier receives: a Slack-compatible webhook body and Alertmanager v2 alerts.
import type { Notification, NotifyEvent } from './types';

// Slack's limits: a header's text 150 characters, a section's 3000, at most 10 fields of 2000.
const HEADER_MAX = 150;
const TEXT_MAX = 3000;
const FIELDS_MAX = 10;

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Slack's mrkdwn treats &, < and > as markup. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

type Block = Record<string, unknown>;

export interface SlackBody {
  text: string;
  blocks: Block[];
}

/** `text` is the fallback (notifications, receivers that ignore blocks); `blocks` the rich form. */
export function slackBody(n: Notification): SlackBody {
  const icon = n.severity === 'critical' ? ':rotating_light:' : ':warning:';
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(n.title, HEADER_MAX) } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(slackEscape(n.text), TEXT_MAX) } },
  ];
  const details = Object.entries(n.details).slice(0, FIELDS_MAX);
  if (details.length > 0) {
    blocks.push({
      type: 'section',
      fields: details.map(([k, v]) => ({ type: 'mrkdwn', text: cut(`*${slackEscape(k)}*\n${slackEscape(String(v))}`, 2000) })),
    });
  }
  const context = [`target *${slackEscape(n.target)}*`, `event ${n.event}`, `severity ${n.severity}`];
  if (n.links?.webUi) context.push(`<${n.links.webUi}|Temporal Web UI>`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return { text: cut(`${icon} [${n.target}] ${n.title}: ${n.text}`, TEXT_MAX), blocks };
}

/** `check_failed` -> `PerfOrchCheckFailed`. */
export function alertName(event: NotifyEvent): string {
  return `PerfOrch${event
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}`;
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  generatorURL?: string;
}

/** The body of POST /api/v2/alerts: one alert; Alertmanager resolves it after its resolve_timeout. */
export function alertmanagerAlerts(n: Notification, now: Date): AlertmanagerAlert[] {
  const details = Object.entries(n.details).map(([k, v]) => `${k}: ${v}`);
  const alert: AlertmanagerAlert = {
    labels: { alertname: alertName(n.event), target: n.target, severity: n.severity, event: n.event, notification_id: n.id },
    annotations: { summary: n.title, description: [n.text, ...details].join('\n') },
    startsAt: n.at ?? now.toISOString(),
  };
  if (n.links?.webUi) alert.generatorURL = n.links.webUi;
  return [alert];
}
