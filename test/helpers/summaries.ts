// What the Web UI's timeline shows for each scheduled activity and started child: its summary.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The activity type or child workflow type an event schedules, or null for other events. */
function scheduledType(e: HistoryEvent): string | null {
  if (e.activityTaskScheduledEventAttributes) return e.activityTaskScheduledEventAttributes.activityType?.name ?? '?';
  if (e.startChildWorkflowExecutionInitiatedEventAttributes)
    return e.startChildWorkflowExecutionInitiatedEventAttributes.workflowType?.name ?? '?';
  return null;
}

/** Every activity and child scheduled by the workflows `ids`, with its summary (null when it has none). */
export async function scheduledWithSummaries(
  client: Client,
  ids: string[],
): Promise<{ workflowId: string; what: string; summary: string | null }[]> {
  const out: { workflowId: string; what: string; summary: string | null }[] = [];
  for (const workflowId of ids) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    for (const e of history.events ?? []) {
      const what = scheduledType(e);
      if (what === null) continue;
      const payload = e.userMetadata?.summary;
      out.push({ workflowId, what, summary: payload ? defaultPayloadConverter.fromPayload<string>(payload) : null });
    }
  }
  return out;
}
