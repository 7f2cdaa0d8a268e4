// The root cause of a Temporal failure: a failed child or activity wraps what went wrong in
// "Child Workflow execution failed" / "Activity task failed"; a person needs the message inside the
// wrappers and where it happened. Duck-typed (cause, activityType, workflowType), so it reads the workflow's,
// the activity's and the client's failure classes alike.

interface FailureLike {
  message?: unknown;
  cause?: unknown;
  activityType?: unknown;
  workflowType?: unknown;
}

const WRAPPERS = /^(Child Workflow execution failed|Activity task failed|Workflow execution failed|Activity task timed out)$/;

/** The failures from the outside in: each one's message and, for a child or activity, its type. */
function chain(err: unknown): { message: string; where: string | null }[] {
  const out: { message: string; where: string | null }[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 12; depth++) {
    const f = e as FailureLike;
    const where =
      typeof f.activityType === 'string' && f.activityType
        ? `activity ${f.activityType}`
        : typeof f.workflowType === 'string' && f.workflowType
          ? `workflow ${f.workflowType}`
          : null;
    out.push({ message: typeof f.message === 'string' ? f.message : String(f.message ?? ''), where });
    e = f.cause;
  }
  return out;
}

/**
 * The first failure inside the wrappers (a failed child, activity or workflow), with where it
 * happened, e.g. "no request to http://127.0.0.1:3100 succeeded (in activity measureNetwork of workflow
 * profilingWorkflow)". Its own causes are not followed: the message our code wrote says more than the
 * socket error under it. A plain error gives its own message.
 */
export function rootCauseMessage(err: unknown): string {
  const links = chain(err);
  if (links.length === 0) return String(err);
  const wrapper = (l: { message: string; where: string | null }) => l.where !== null || WRAPPERS.test(l.message) || !l.message;
  const firstInside = links.findIndex((l) => !wrapper(l));
  const root = firstInside === -1 ? links[links.length - 1] : links[firstInside];
  const where = links
    .slice(0, firstInside === -1 ? links.length : firstInside)
    .map((l) => l.where)
    .filter((w): w is string => w !== null)
    .reverse();
  return where.length ? `${root.message} (in ${where.join(' of ')})` : root.message;
}
