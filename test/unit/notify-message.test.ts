// The notification builders: the Slack-compatible webhook body, Alertmanager's v2 alerts, and the signature a receiver verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { alertName, alertmanagerAlerts, slackBody, slackEscape } from '../../common/notify/message';
import { escalationNotification, rollbackNotification } from '../../common/notify/notifications';
import type { Notification } from '../../common/notify/types';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signatureHeaders, verifySignature } from '../../activities/notify/signature';
import { classifyStatus } from '../../activities/notify/post';

const n: Notification = {
  id: 'perf-shop:run-1:rollback',
  event: 'rollback',
  target: 'shop',
  title: 'Changes rolled back on shop',
  text: 'p95 <went> up & stayed',
  severity: 'critical',
  details: { p95Ms: '12 -> 30', rolled_back: 2 },
  links: { webUi: 'http://127.0.0.1:8233/namespaces/default/workflows/perf-shop' },
  at: '2026-12-01T03:00:00.000Z',
};

test('the webhook body is Slack-compatible: text fallback plus header, section, fields and context blocks', () => {
  const body = slackBody(n);
  assert.match(body.text, /^:rotating_light: \[shop\] Changes rolled back on shop: p95/);
  assert.deepEqual(
    body.blocks.map((b) => b.type),
    ['header', 'section', 'section', 'context'],
  );
  assert.deepEqual(body.blocks[0], { type: 'header', text: { type: 'plain_text', text: 'Changes rolled back on shop' } });
  assert.equal((body.blocks[1] as { text: { text: string } }).text.text, 'p95 &lt;went&gt; up &amp; stayed', 'mrkdwn is escaped');
  const fields = (body.blocks[2] as { fields: { text: string }[] }).fields.map((f) => f.text);
  assert.deepEqual(fields, ['*p95Ms*\n12 -&gt; 30', '*rolled_back*\n2']);
  const context = JSON.stringify(body.blocks[3]);
  assert.match(context, /<http:\/\/127\.0\.0\.1:8233\/namespaces\/default\/workflows\/perf-shop\|Temporal Web UI>/);
  assert.match(context, /event rollback/);
});

test('Slack limits hold: header cut at 150 characters, at most 10 fields, no details block when there are none', () => {
  const details = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`k${i}`, i]));
  const body = slackBody({ ...n, title: 'x'.repeat(400), details, links: undefined });
  assert.equal((body.blocks[0] as { text: { text: string } }).text.text.length, 150);
  assert.equal((body.blocks[2] as { fields: unknown[] }).fields.length, 10);
  assert.doesNotMatch(JSON.stringify(body.blocks[3]), /Web UI/);
  assert.deepEqual(
    slackBody({ ...n, details: {} }).blocks.map((b) => b.type),
    ['header', 'section', 'context'],
  );
  assert.equal(slackEscape('a<b>&c'), 'a&lt;b&gt;&amp;c');
});

test('Alertmanager gets one v2 alert: alertname PerfOrch<Event>, target, severity, event labels, summary and description', () => {
  const [alert, ...rest] = alertmanagerAlerts(n, new Date('2026-12-01T04:00:00Z'));
  assert.equal(rest.length, 0);
  assert.deepEqual(alert.labels, {
    alertname: 'PerfOrchRollback',
    target: 'shop',
    severity: 'critical',
    event: 'rollback',
    notification_id: 'perf-shop:run-1:rollback',
  });
  assert.equal(alert.annotations.summary, 'Changes rolled back on shop');
  assert.equal(alert.annotations.description, 'p95 <went> up & stayed\np95Ms: 12 -> 30\nrolled_back: 2');
  assert.equal(alert.startsAt, '2026-12-01T03:00:00.000Z', "the notification's time, not the delivery's");
  assert.equal(alert.generatorURL, n.links!.webUi);
  const [bare] = alertmanagerAlerts({ ...n, at: undefined, links: undefined }, new Date('2026-12-01T04:00:00Z'));
  assert.equal(bare.startsAt, '2026-12-01T04:00:00.000Z');
  assert.equal('generatorURL' in bare, false);
  assert.deepEqual(
    ['escalation', 'check_failed', 'rollback'].map((e) => alertName(e as Notification['event'])),
    ['PerfOrchEscalation', 'PerfOrchCheckFailed', 'PerfOrchRollback'],
  );
});

test('the workflows build their notifications from what they know', () => {
  const at = new Date('2026-12-01T03:00:00Z');
  const esc = escalationNotification(
    { target: 'shop', parentWorkflowId: 'perf-shop', reason: 'approval_timeout', summary: 'not approved', details: {}, timeoutMs: 1 },
    'perf-shop:escalation:r1',
    '42',
    at,
  );
  assert.equal(esc.id, 'perf-shop:escalation:r1:escalation');
  assert.equal(esc.severity, 'warning');
  assert.deepEqual(esc.details, { reason: 'approval_timeout', ticket: '42', run: 'perf-shop' });
  const rb = rollbackNotification(
    { workflowId: 'perf-shop', runId: 'r1', target: 'shop', worse: ['p95Ms 12 -> 30'], thresholdPct: 5, rolledBack: 2 },
    at,
  );
  assert.equal(rb.event, 'rollback');
  assert.equal(rb.severity, 'critical');
  assert.match(rb.title, /regression over 5%/);
  assert.match(rb.text, /p95Ms 12 -> 30.*2 change\(s\)/);
});

test('the signature is HMAC-SHA256 over "<timestamp>.<body>", and verifying refuses a changed body, a wrong key and an old timestamp', () => {
  const body = JSON.stringify(slackBody(n));
  const now = new Date('2026-12-01T03:00:00Z');
  const headers = signatureHeaders('s3cret', body, now);
  assert.equal(headers[TIMESTAMP_HEADER], String(now.getTime() / 1000));
  const expected = createHmac('sha256', 's3cret')
    .update(`${now.getTime() / 1000}.${body}`)
    .digest('hex');
  assert.equal(headers[SIGNATURE_HEADER], `sha256=${expected}`);
  assert.equal(verifySignature('s3cret', headers, body, now), null);
  assert.equal(verifySignature('s3cret', headers, `${body} `, now), 'signature does not match');
  assert.equal(verifySignature('other', headers, body, now), 'signature does not match');
  assert.match(verifySignature('s3cret', headers, body, new Date(now.getTime() + 301_000)) ?? '', /more than 300 s away/);
  assert.match(verifySignature('s3cret', { [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER] }, body, now) ?? '', /x-perf-orch-timestamp/);
  assert.match(
    verifySignature('s3cret', { [TIMESTAMP_HEADER]: headers[TIMESTAMP_HEADER] }, body, now) ?? '',
    /missing x-perf-orch-signature/,
  );
});

test('answers: 2xx sent; 5xx, 408 and 429 retried; other 4xx final', () => {
  assert.deepEqual([200, 204, 500, 503, 408, 429, 400, 401, 404, 410].map(classifyStatus), [
    'sent',
    'sent',
    'retry',
    'retry',
    'retry',
    'retry',
    'final',
    'final',
    'final',
    'final',
  ]);
});
