// Predicates a GIN or GiST index serves and a btree does not: containment and overlap (@> <@ &&), jsonb
// key tests (? ?| ?&), full-text and jsonpath matches (@@ @?), trigram similarity (%) and LIKE/ILIKE
// with a pattern that does not start with fixed text. Which index (if any) fits is the column type's
// to say (advisor/gin-candidates.ts); here only the shape: a column (or `to_tsvector('<config>', col)`,
// the immutable two-argument form) against a value.
import { columnRef, inner, opName, typeOf, type Node } from './sql-ast';
import { CASE_FOLD, expressionText, patternValue, stringConstant } from './sql-expression-predicate';
import type { ColRef, Predicate } from './sql-facts';

/** Operators with the indexed operand on the left, and their commutators for the operand on the right. */
const LEFT_OPS = new Set(['@>', '<@', '&&', '?', '?|', '?&', '@@', '@?', '%']);
const COMMUTATOR: Record<string, string> = { '@>': '<@', '<@': '@>', '&&': '&&', '@@': '@@', '%': '%' };

/** `to_tsvector('english', col)`: the column and the expression's text as an index key, else null. */
export function tsvectorOperand(n: unknown): { col: ColRef; expression: string } | null {
  if (typeOf(n) !== 'FuncCall') return null;
  const v = inner(n);
  const fn = opName(v.funcname);
  const args = (v.args as unknown[]) ?? [];
  if (fn !== 'to_tsvector' || args.length !== 2 || v.over || v.agg_star) return null;
  // A bare constant only (stringConstant alone would also take a cast one, 'english'::regconfig).
  const config = typeOf(args[0]) === 'A_Const' ? stringConstant(args[0]) : null;
  const col = columnRef(args[1]);
  if (config === null || !/^[a-z_][a-z0-9_]*$/.test(config) || !col || !/^[a-z_][a-z0-9_]*$/.test(col.column)) return null;
  return { col, expression: `to_tsvector('${config}'::regconfig, ${col.column})` };
}

/** `upper(col)` / `lower(col::text)`, as Django's case-insensitive lookups write them: the column and the expression's text. */
export function caseFoldOperand(n: unknown): { col: ColRef; expression: string; expressionType: string } | null {
  if (typeOf(n) !== 'FuncCall') return null;
  const v = inner(n);
  const args = (v.args as unknown[]) ?? [];
  if (!Object.hasOwn(CASE_FOLD, opName(v.funcname) ?? '') || args.length !== 1 || v.over || v.agg_star) return null;
  let arg = args[0];
  while (typeOf(arg) === 'TypeCast') arg = inner(arg).arg;
  const col = columnRef(arg);
  const expression = col ? expressionText(n) : null;
  return col && expression ? { col, expression, expressionType: 'text' } : null;
}

function operand(n: unknown): { col: ColRef; expression: string | null } | null {
  const c = columnRef(n);
  return c ? { col: c, expression: null } : tsvectorOperand(n);
}

/** A LIKE/ILIKE pattern constant that begins with a wildcard (a btree cannot serve it), or a parameter for ILIKE. */
function unanchoredPattern(kind: string, rexpr: unknown): boolean {
  const t = typeOf(rexpr);
  if (t === 'A_Const' || t === 'FuncCall') {
    const { pattern: p, param } = patternValue(rexpr);
    if (p === null) return kind === 'AEXPR_ILIKE' && param !== null;
    return p.startsWith('%') || p.startsWith('_');
  }
  // LIKE $1 may be a prefix pattern (a btree with text_pattern_ops serves it): left to the prefix candidates.
  return kind === 'AEXPR_ILIKE' && (t === 'ParamRef' || t === 'TypeCast');
}

/**
 * The GIN/GiST predicate of one operator conjunct (A_Expr), or null. `isValue` says whether the other
 * operand is a value the index can be probed with (parameters, constants, functions of those).
 */
export function ginPredicate(v: Node, isValue: (n: unknown) => boolean): Predicate | null {
  const kind = v.kind as string;
  const op = opName(v.name);
  if (!op) return null;
  if ((kind === 'AEXPR_LIKE' || kind === 'AEXPR_ILIKE') && (op === '~~' || op === '~~*')) {
    const c = columnRef(v.lexpr);
    const folded = c ? null : caseFoldOperand(v.lexpr);
    if ((!c && !folded) || !isValue(v.rexpr) || !unanchoredPattern(kind, v.rexpr)) return null;
    if (folded) {
      const gin = { operator: op, expression: folded.expression, expressionType: folded.expressionType };
      return { col: folded.col, op: 'gin', param: null, paramLocation: -1, gin };
    }
    return { col: c!, op: 'gin', param: null, paramLocation: -1, gin: { operator: op, expression: null } };
  }
  if (kind !== 'AEXPR_OP' || v.lexpr === undefined) return null;
  const left = LEFT_OPS.has(op) ? operand(v.lexpr) : null;
  if (left && isValue(v.rexpr))
    return { col: left.col, op: 'gin', param: null, paramLocation: -1, gin: { operator: op, expression: left.expression } };
  const right = op in COMMUTATOR ? operand(v.rexpr) : null;
  if (right && isValue(v.lexpr))
    return { col: right.col, op: 'gin', param: null, paramLocation: -1, gin: { operator: COMMUTATOR[op], expression: right.expression } };
  return null;
}
