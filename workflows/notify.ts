// Notifications from a workflow: one notify activity per notifier of the profile that wants the
// event, each retried on its own. A notifier that is down never fails the caller: the outcome says so,
// the log too, and the store holds every attempt.
import { isCancellation, log, proxyActivities, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { rootCauseMessage } from '../common/failure-cause';
import { notifiersFor, redactedUrl } from '../common/notify/select';
import type { Notification, NotifyOutcome } from '../common/notify/types';
import type { TargetProfile } from '../common/profile';

/** About a minute and a half of trying (1 + 2 + 4 + 8 s between 5 attempts, plus the requests' own timeouts). */
export const NOTIFY_RETRY: RetryPolicy = {
  maximumAttempts: 5,
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
};

// Patches of the workflows that notify: histories recorded before them replay without the activity.
export const NOTIFY_ESCALATION_PATCH = 'notify-escalation';
export const NOTIFY_ROLLBACK_PATCH = 'notify-rollback';

function notifyActivity(summary: string) {
  return proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: NOTIFY_RETRY, summary }).notify;
}

/** Sends `notification` to each notifier of `profile` that wants its event, side by side; never throws but for cancellation. */
export async function sendNotifications(profile: TargetProfile, notification: Notification): Promise<NotifyOutcome[]> {
  return Promise.all(
    notifiersFor(profile.notifiers, notification.event).map(async ({ notifier, index }): Promise<NotifyOutcome> => {
      try {
        const notify = notifyActivity(`notify ${notifier.kind} (notifiers[${index}]): ${notification.event}`);
        return { index, ...(await notify({ notification, notifier, target: profile })) };
      } catch (err) {
        if (isCancellation(err)) throw err;
        const error = rootCauseMessage(err);
        log.warn(`notification ${notification.id} to notifiers[${index}] (${notifier.kind}) not delivered: ${error}`);
        return { index, kind: notifier.kind, url: redactedUrl(notifier.url), status: 'failed', error };
      }
    }),
  );
}

/** Whether the profile has a notifier for `event` (callers patch only then: runs without notifiers keep their histories unchanged). */
export function wantsNotification(profile: TargetProfile | undefined, event: Notification['event']): profile is TargetProfile {
  return !!profile && notifiersFor(profile.notifiers, event).length > 0;
}
