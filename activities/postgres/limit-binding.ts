// LIMIT corrections wherever the LIMIT sits. A generic plan assumes `LIMIT $k` fetches 10% of the
// rows below it; at the top of the plan the cost is corrected afterwards (plan-walk.ts costAt), but a
// LIMIT inside a subquery or CTE (ORM pagination: the page is taken inside, joined outside) shapes
// the whole plan above it: the joins are planned for 10% of the table instead of one page. So such a
// `LIMIT $k` is planned with the rows a call really returns written in as a constant; the parameter
// stays declared (int8) so the others keep their numbers. OFFSET keeps the planner's own assumption.
import type { StatementFacts } from './sql-facts';

export interface BoundText {
  text: string;
  /** PREPARE's parameter types: `unknown` (inferred) except the bound ones. */
  paramTypes: string[];
}

/** The LIMIT parameters of subquery and CTE blocks that occur nowhere else in the statement. */
export function nestedLimitParams(facts: Pick<StatementFacts, 'scopes' | 'paramUses'>): { param: number; location: number }[] {
  const derived = new Set(facts.scopes.flatMap((s) => s.derived.map((d) => d.scope)));
  return facts.scopes
    .filter((s) => s.nested && derived.has(s) && s.limitParam && facts.paramUses[s.limitParam.param] === 1)
    .map((s) => s.limitParam!);
}

/**
 * The statement text with its nested `LIMIT $k` parameters replaced by `rows` (at least 1), or null
 * when there is none or rows is unknown. `sql` is the text the facts were parsed from (locations
 * are byte offsets into it).
 */
export function bindNestedLimits(
  sql: string,
  facts: Pick<StatementFacts, 'scopes' | 'paramUses' | 'maxParam'>,
  rows: number | null,
): BoundText | null {
  const params = nestedLimitParams(facts);
  if (params.length === 0 || rows === null || !Number.isFinite(rows)) return null;
  const value = String(Math.max(1, Math.ceil(rows)));
  let buf = Buffer.from(sql, 'utf8');
  const types = Array.from({ length: facts.maxParam }, () => 'unknown');
  for (const p of [...params].sort((a, b) => b.location - a.location)) {
    const ref = Buffer.from(`$${p.param}`);
    if (!buf.subarray(p.location, p.location + ref.length).equals(ref)) return null;
    buf = Buffer.concat([buf.subarray(0, p.location), Buffer.from(value), buf.subarray(p.location + ref.length)]);
    types[p.param - 1] = 'int8';
  }
  return { text: buf.toString('utf8').trim().replace(/;\s*$/, ''), paramTypes: types };
}
