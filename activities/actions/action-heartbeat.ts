// What an apply or rollback attempt has done so far, kept in the activity's heartbeat details: a
// retry (after the worker died, say) reads what its predecessor recorded, e.g. the toggle's value
// before the change or the index it started to build. Sent at once and every few seconds, so a
// dead worker is noticed within the heartbeat timeout and its attempt retried elsewhere.
import type { Context } from '@temporalio/activity';

export type ActionRecord = Record<string, unknown>;

export class ActionHeartbeat {
  private details: ActionRecord;
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly ctx: Context | undefined,
    intervalMs = 5_000,
  ) {
    const earlier = ctx?.info.heartbeatDetails;
    this.details = earlier && typeof earlier === 'object' ? { ...(earlier as ActionRecord) } : {};
    ctx?.heartbeat(this.details);
    this.timer = ctx ? setInterval(() => ctx.heartbeat(this.details), intervalMs) : null;
    this.timer?.unref();
  }

  /** What this attempt or an earlier one of the same action recorded. */
  get recorded(): ActionRecord {
    return this.details;
  }

  /** Records more, and sends it now. */
  record(patch: ActionRecord): void {
    this.details = { ...this.details, ...patch };
    this.ctx?.heartbeat(this.details);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
