// The notify activity: one delivery of one notification to one notifier of the profile. Temporal
// retries it (per delivery); every attempt is recorded in the store, the failed ones too.
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from '../deps';
import { activityContext } from '../activity-context';
import { assertAllowedHost } from '../http/allowed-host';
import { temporalConfig, webUiLink } from '../../common/temporal-config';
import { alertmanagerAlerts, slackBody } from '../../common/notify/message';
import type { Notifier } from '../../common/notify/notifier-schema';
import { deliveryUrl, redactedUrl } from '../../common/notify/select';
import type { DeliveryRecord, Notification } from '../../common/notify/types';
import type { TargetProfile } from '../../common/profile';
import { resolveUrlSecrets } from '../../common/notify/url-secret';
import { postJson } from './post';
import { recordAttempt, type AttemptRow } from './record';
import { signatureHeaders } from './signature';

export interface NotifyRequest {
  notification: Notification;
  notifier: Notifier;
  /** The profile the notifier is from: its allowed hosts and its name (whose variables it may read). */
  target: TargetProfile;
}

/** The Web UI link of the workflow that sends, when the notification carries none. */
function withWebUi(n: Notification): Notification {
  const run = activityContext()?.info.workflowExecution;
  if (n.links?.webUi || !run) return n;
  const { workflowId, runId } = run;
  return { ...n, links: { ...n.links, webUi: webUiLink(temporalConfig(process.env), workflowId, runId) } };
}

export function createNotifyActivities({ store, connections, policy }: ActivityDeps) {
  return {
    async notify(req: NotifyRequest): Promise<DeliveryRecord> {
      const info = activityContext()?.info;
      const notification = withWebUi(req.notification);
      const { notifier, target } = req;
      const now = new Date();
      const payload = notifier.kind === 'webhook' ? slackBody(notification) : alertmanagerAlerts(notification, now);
      const body = JSON.stringify(payload);
      const row = (over: Pick<AttemptRow, 'status' | 'httpStatus' | 'error'>): AttemptRow => ({
        notification,
        workflowId: info?.workflowExecution?.workflowId ?? '(none)',
        kind: notifier.kind,
        url: redactedUrl(notifier.url),
        body: payload,
        attempt: info?.attempt ?? 1,
        ...over,
      });
      const what = `the ${notifier.kind} notifier of target ${target.name}`;
      let headers: Record<string, string> = {};
      let url: string;
      try {
        assertAllowedHost(target, deliveryUrl(notifier), `a notification (${notifier.kind})`, policy);
        url = resolveUrlSecrets(deliveryUrl(notifier), (name) => connections.resolveSecret(target, name, `url of ${what}`, 'token'));
        if (notifier.kind === 'webhook' && notifier.secretEnv) {
          const secret = connections.resolveSecret(target, notifier.secretEnv, `secretEnv of ${what}`);
          headers = signatureHeaders(secret, body, now);
        }
      } catch (err) {
        await recordAttempt(store, row({ status: 'failed', httpStatus: null, error: (err as Error).message }));
        throw err;
      }
      const res = await postJson(url, body, headers);
      if (res.outcome === 'sent') return recordAttempt(store, row({ status: 'sent', httpStatus: res.httpStatus, error: null }));
      await recordAttempt(store, row({ status: 'failed', httpStatus: res.httpStatus, error: res.error }));
      const message = `delivery to ${what} (${redactedUrl(notifier.url)}) failed: ${res.error}`;
      if (res.outcome === 'retry') throw ApplicationFailure.retryable(message, 'NotifierUnavailable');
      throw ApplicationFailure.nonRetryable(`${message}; fix the notifier's URL or the receiver`, 'NotifierRefused');
    },
  };
}
