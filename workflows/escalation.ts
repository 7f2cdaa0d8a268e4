// T4: an architecture review ticket that outlives the run (parent close policy ABANDON).
import { condition, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { escalationNotification } from '../common/notify/notifications';
import type { EscalationInput, EscalationStatus } from '../common/run';
import { acknowledgeSignal, escalationStatusQuery, resolveSignal } from './messages';
import { NOTIFY_ESCALATION_PATCH, sendNotifications, wantsNotification } from './notify';

function ticketActivities(summary: string) {
  return proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 }, summary });
}

export async function architectureEscalation(input: EscalationInput): Promise<EscalationStatus> {
  const status: EscalationStatus = { ticketId: null, state: 'open', notes: [] };
  const pending: { state: EscalationStatus['state']; note: EscalationStatus['notes'][number] }[] = [];
  setHandler(escalationStatusQuery, () => status);
  setHandler(acknowledgeSignal, ({ by, note }) => {
    pending.push({ state: 'acknowledged', note: { at: new Date().toISOString(), by, text: note ?? 'acknowledged' } });
  });
  setHandler(resolveSignal, ({ by, resolution }) => {
    pending.push({ state: 'resolved', note: { at: new Date().toISOString(), by, text: resolution } });
  });

  status.ticketId = await ticketActivities(`open the review ticket: ${input.reason}`).recordEscalation({
    workflowId: workflowInfo().workflowId,
    input,
  });
  if (wantsNotification(input.profile, 'escalation') && patched(NOTIFY_ESCALATION_PATCH)) {
    const notification = escalationNotification(input, workflowInfo().workflowId, status.ticketId, new Date());
    status.notifications = await sendNotifications(input.profile, notification);
  }
  while (status.state !== 'resolved') {
    const arrived = await condition(() => pending.length > 0, input.timeoutMs);
    if (!arrived) {
      status.state = 'expired';
      await ticketActivities('mark the ticket expired').updateEscalation({
        ticketId: status.ticketId,
        status: 'expired',
        note: { at: new Date().toISOString(), by: 'perf-orchestrator', text: 'no resolution before the deadline' },
      });
      break;
    }
    const next = pending.shift()!;
    if (!(status.state === 'acknowledged' && next.state === 'acknowledged')) status.state = next.state;
    status.notes.push(next.note);
    await ticketActivities(`ticket ${status.state} by ${next.note.by}`).updateEscalation({
      ticketId: status.ticketId,
      status: status.state,
      note: next.note,
    });
  }
  return status;
}
