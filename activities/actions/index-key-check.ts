// The keys of a create_index action, checked before any SQL is written: a column name, or an
// expression that parses as one; an operator class and a collation that are plain names; no order
// on a gin index.
import type { IndexKeySpec, IndexMethod } from '../../common/index-keys';
import { indexExpressionProblem } from '../postgres/sql-parse';
import { badPlan, checkIdentifier } from './bad-plan';

const OPERATOR_CLASS = /^[a-z_][a-z0-9_]*$/;

/** One key: a column name, or an expression that parses as one (no subquery); an operator class and collation that are plain names. */
export function checkKey(indexName: string, method: IndexMethod, c: IndexKeySpec, i: number): void {
  if (c?.expression) {
    const problem = indexExpressionProblem(c.name);
    if (problem) throw badPlan(`index ${indexName}: columns[${i}].name is not an index expression: ${problem}`);
  } else checkIdentifier(`columns[${i}].name`, c?.name);
  if (c.opclass !== undefined && !OPERATOR_CLASS.test(checkIdentifier(`columns[${i}].opclass`, c.opclass)))
    throw badPlan(`index ${indexName}: columns[${i}].opclass must be an operator class name (a-z, 0-9, _), got ${c.opclass}`);
  if (c.collation !== undefined) checkIdentifier(`columns[${i}].collation`, c.collation);
  if (c.desc && method === 'gin') throw badPlan(`index ${indexName}: columns[${i}]: a gin index has no order (remove desc)`);
}
