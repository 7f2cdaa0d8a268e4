// Expression keys PostgreSQL would refuse: an index expression must be immutable (date_trunc on a
// timestamptz depends on the time zone, now() and random() change) and must type-check on the table.
// Each distinct (table, expression) is created once as a hypothetical index; the candidates holding a
// refused one are dropped, with a note naming the expression and PostgreSQL's reason.
import type { GenericPlanner } from '../../../postgres/planner';
import type { DetailedWorkload } from './candidates';
import type { AdvisorRun } from './run';

/** At most this many distinct expressions are checked (one hypopg call each); candidates with others are dropped. */
const MAX_CHECKED = 200;

export async function dropRefusedExpressions(run: AdvisorRun, p: GenericPlanner | undefined, workload: DetailedWorkload): Promise<void> {
  if (!p || !run.ctx.hypopgSchema) return;
  const verdicts = new Map<string, string | null>();
  for (const [key, { cand }] of workload.candidates) {
    let refused: string | null = null;
    for (const k of cand.keys) {
      if (!k.expression || refused) continue;
      const id = `${cand.schema}.${cand.table}\0${k.name}`;
      if (!verdicts.has(id) && verdicts.size < MAX_CHECKED) verdicts.set(id, await refusal(p, cand.schema, cand.table, k.name));
      refused = verdicts.has(id) ? verdicts.get(id)! : `not checked (more than ${MAX_CHECKED} distinct expressions)`;
      if (refused) run.rejected.push({ candidate: key, reason: `PostgreSQL refuses ${k.name} as an index expression: ${refused}` });
    }
    if (refused) workload.candidates.delete(key);
  }
  const refusedList = [...verdicts].filter(([, r]) => r !== null);
  if (refusedList.length > 0)
    run.notes.push(
      `no expression index on ${refusedList.map(([id, r]) => `${id.replace('\0', ' (')}): ${r}`).join('; ')} ` +
        '(an index expression must be immutable: rewrite the predicate on an immutable expression, e.g. date_trunc on a timestamp ' +
        'or with AT TIME ZONE, to get one)',
    );
}

/** PostgreSQL's reason for refusing the expression index, or null when hypopg could create it. */
async function refusal(p: GenericPlanner, schema: string, table: string, expression: string): Promise<string | null> {
  try {
    const h = await p.createHypothetical({ schema, table, keys: [{ name: expression, expression: true }], include: [] });
    await p.dropHypothetical(h).catch(() => undefined);
    return null;
  } catch (err) {
    return (err as Error).message.replace(/^hypopg: /, '');
  }
}
