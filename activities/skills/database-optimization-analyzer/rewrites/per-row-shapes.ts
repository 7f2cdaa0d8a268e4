// The per-row functions that keep an index on a column from serving `f(col) = value`, each with the
// predicate on the bare column that holds for exactly the same rows; pure.
//   date(ts) = X, ts::date = X          ts >= X::date AND ts < X::date + 1
//   extract(year from ts) = N           ts >= make_timestamp[tz](N,1,1,0,0,0) AND ts < ...(N+1,...)
//   date_trunc('unit', ts) = X          ts >= X AND ts < X + '1 unit' AND date_trunc('unit', X) = X
//   col + c = v, col - c = v            col = v - c, col = v + c (integer c, integer or numeric col)
// A timestamptz is cut into days and years in the session's TimeZone by date(), extract() and
// date_trunc(), and X::date, make_timestamptz() and X + interval read the same TimeZone: both sides
// agree within any one session (the application's included).
import { columnRef, inner, sval, typeOf } from '../../../postgres/sql-ast';
import { cloneTree } from '../../../postgres/sql-tree';
import { list } from './joins';

export type PerRowShape = 'date' | 'year' | 'date_trunc' | 'arithmetic';

export interface PerRowMatch {
  shape: PerRowShape;
  /** The ColumnRef under the function. */
  column: unknown;
  /** The predicate on the bare column for `wrapped = value`; null when the value does not fit (e.g. a fractional year). */
  replace(value: unknown, columnType: string): unknown;
  /** Why both select the same rows, in words. */
  condition(column: string): string;
  /** The column types it applies to. */
  types: Set<string>;
}

const TIMESTAMPTZ = 'timestamp with time zone';
const TIMESTAMPS = new Set(['timestamp without time zone', TIMESTAMPTZ]);
const EXACT_NUMBERS = new Set(['smallint', 'integer', 'bigint', 'numeric']);
const WIDE_NUMBER: Record<string, string> = { bigint: 'int8', numeric: 'numeric' };
/** date_trunc units that are whole local days or more (a timestamptz's hours repeat or vanish at DST changes). */
const DAY_UNITS = ['day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium'];
const CLOCK_UNITS = ['hour', 'minute', 'second'];
const UNIT_INTERVAL: Record<string, string> = { week: '7 days', quarter: '3 months', decade: '10 years', century: '100 years' };

export const op = (name: string, l: unknown, r: unknown) => ({
  A_Expr: { kind: 'AEXPR_OP', name: [{ String: { sval: name } }], lexpr: l, rexpr: r },
});
const and = (...args: unknown[]) => ({ BoolExpr: { boolop: 'AND_EXPR', args } });
const cast = (v: unknown, type: string) => ({
  TypeCast: { arg: v, typeName: { names: [{ String: { sval: 'pg_catalog' } }, { String: { sval: type } }] } },
});
const int = (n: number) => ({ A_Const: { ival: n === 0 ? {} : { ival: n } } });
const str = (s: string) => ({ A_Const: { sval: { sval: s } } });
const call = (name: string, ...args: unknown[]) => ({ FuncCall: { funcname: [{ String: { sval: name } }], args } });

function funcName(n: unknown): string | null {
  if (typeOf(n) !== 'FuncCall') return null;
  const x = inner(n);
  if (x.over || x.agg_star || x.agg_distinct || x.agg_filter || x.agg_order || x.func_variadic) return null;
  const name = list(x.funcname).map(sval);
  return name.length === 1 || (name.length === 2 && name[0] === 'pg_catalog') ? name[name.length - 1] : null;
}

/** An integer constant's value (`2024`, `'2024'`), else null. */
function intConst(n: unknown): number | null {
  if (typeOf(n) !== 'A_Const') return null;
  const c = inner(n);
  if (c.ival !== undefined) return Number((c.ival as { ival?: number }).ival ?? 0);
  const s = c.sval !== undefined ? String((c.sval as { sval?: string }).sval ?? '') : null;
  return s !== null && /^\s*-?\d{1,9}\s*$/.test(s) ? Number(s) : null;
}

function stringConst(n: unknown): string | null {
  return typeOf(n) === 'A_Const' && inner(n).sval !== undefined ? String((inner(n).sval as { sval?: string }).sval ?? '') : null;
}

function dateOf(n: unknown): PerRowMatch | null {
  const x = inner(n);
  const arg = funcName(n) === 'date' && list(x.args).length === 1 ? list(x.args)[0] : null;
  const castArg =
    typeOf(n) === 'TypeCast' &&
    list((x.typeName as { names?: unknown } | undefined)?.names)
      .map(sval)
      .pop() === 'date'
      ? x.arg
      : null;
  const column = arg ?? castArg;
  if (!columnRef(column)) return null;
  return {
    shape: 'date',
    column,
    types: TIMESTAMPS,
    replace: (v) => and(op('>=', column, cast(v, 'date')), op('<', cloneTree(column), op('+', cast(cloneTree(v), 'date'), int(1)))),
    condition: (c) => `date(${c}) = d holds exactly when d <= ${c} < d + 1 day`,
  };
}

/** extract(year from ts) / date_part('year', ts): a whole year N from 1 AD on (a constant, or a parameter the app sends). */
function yearOf(n: unknown): PerRowMatch | null {
  const fn = funcName(n);
  const args = list(inner(n).args);
  if ((fn !== 'extract' && fn !== 'date_part') || args.length !== 2 || stringConst(args[0])?.toLowerCase() !== 'year') return null;
  const column = args[1];
  if (!columnRef(column)) return null;
  return {
    shape: 'year',
    column,
    types: TIMESTAMPS,
    replace: (v, type) => {
      const make = type === TIMESTAMPTZ ? 'make_timestamptz' : 'make_timestamp';
      const n0 = intConst(v);
      if (typeOf(v) !== 'ParamRef' && (n0 === null || n0 < 1)) return null;
      const next = n0 !== null ? int(n0 + 1) : op('+', cloneTree(v), int(1));
      const at = (year: unknown) => call(make, year, int(1), int(1), int(0), int(0), int(0));
      return and(op('>=', column, at(n0 !== null ? int(n0) : v)), op('<', cloneTree(column), at(next)));
    },
    condition: (c) =>
      `extract(year from ${c}) = N holds exactly when January 1 of N <= ${c} < January 1 of N + 1, for a whole year N ` +
      '(the rewrite takes the year as an integer: a fractional one, which matches no row, is an error there)',
  };
}

/** date_trunc('unit', ts) = X: the range [X, X + 1 unit) and, on X alone, date_trunc('unit', X) = X (X itself truncated). */
function truncOf(n: unknown): PerRowMatch | null {
  const args = list(inner(n).args);
  const unit = funcName(n) === 'date_trunc' && args.length === 2 ? stringConst(args[0])?.toLowerCase() : undefined;
  if (!unit || ![...DAY_UNITS, ...CLOCK_UNITS].includes(unit) || !columnRef(args[1])) return null;
  const column = args[1];
  return {
    shape: 'date_trunc',
    column,
    types: TIMESTAMPS,
    replace: (v, type) => {
      if (type === TIMESTAMPTZ && !DAY_UNITS.includes(unit)) return null;
      const x = () => cast(cloneTree(v), type === TIMESTAMPTZ ? 'timestamptz' : 'timestamp');
      const end = op('+', x(), cast(str(UNIT_INTERVAL[unit] ?? `1 ${unit}`), 'interval'));
      return and(op('>=', column, x()), op('<', cloneTree(column), end), op('=', call('date_trunc', str(unit), x()), x()));
    },
    condition: (c) =>
      `date_trunc('${unit}', ${c}) = X holds exactly when X <= ${c} < X + 1 ${unit} and X is itself truncated to the ${unit}; ` +
      `the rewrite keeps that test on X alone (date_trunc('${unit}', X) = X, a one-time filter that reads no row), so it is equal for every X`,
  };
}

/** col + c / c + col / col - c with an integer constant c. */
function arithmeticOf(n: unknown): PerRowMatch | null {
  const x = inner(n);
  const name = typeOf(n) === 'A_Expr' && x.kind === 'AEXPR_OP' && list(x.name).length === 1 ? sval(list(x.name)[0]) : null;
  if (name !== '+' && name !== '-') return null;
  const [column, c] = columnRef(x.lexpr) ? [x.lexpr, x.rexpr] : name === '+' ? [x.rexpr, x.lexpr] : [null, null];
  const k = intConst(c);
  if (!columnRef(column) || k === null || typeOf(c) !== 'A_Const' || inner(c).ival === undefined) return null;
  const undo = name === '+' ? '-' : '+';
  return {
    shape: 'arithmetic',
    column,
    types: EXACT_NUMBERS,
    // `$1 - 1` alone would type $1 as integer: a bigint or numeric column keeps its type, as `col + 1 = $1` types $1.
    replace: (v, type) => op('=', column, op(undo, WIDE_NUMBER[type] ? cast(v, WIDE_NUMBER[type]) : v, int(k))),
    condition: (col) =>
      `${col} ${name} ${k} = v holds exactly when ${col} = v ${undo} ${k} (exact arithmetic: the two differ only where the ` +
      'original fails with an overflow error)',
  };
}

/** The per-row function over a column in `n`, else null. */
export function perRowMatch(n: unknown): PerRowMatch | null {
  return dateOf(n) ?? yearOf(n) ?? truncOf(n) ?? arithmeticOf(n);
}
