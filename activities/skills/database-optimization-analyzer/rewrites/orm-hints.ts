// Where an ORM writes each kind of statement the query rewrites change, and how to change that call. Pure.
import type { PerRow, RewriteEvidence, RewriteKind } from './types';

const PER_ROW_HINT: Record<PerRow['shape'], (c: string) => string[]> = {
  date: (c) => [
    `Objection/Knex: .where(raw('date(${c})'), day) or .whereRaw('${c}::date = ?', [day]) -> ` +
      `.where('${c}', '>=', day).where('${c}', '<', nextDay)`,
    `Django: .filter(${c}__date=day) -> .filter(${c}__gte=day, ${c}__lt=day + timedelta(days=1))`,
    `TypeORM: .where('DATE(t.${c}) = :day') -> .where('t.${c} >= :day AND t.${c} < :nextDay')`,
    `ActiveRecord: where("DATE(${c}) = ?", day) -> where(${c}: day.all_day)`,
  ],
  year: (c) => [
    `Objection/Knex: .whereRaw('extract(year from ${c}) = ?', [year]) -> .where('${c}', '>=', \`\${year}-01-01\`)` +
      `.where('${c}', '<', \`\${year + 1}-01-01\`) (the literals read the session's TimeZone, as extract does)`,
    `Django: .annotate(y=ExtractYear('${c}')).filter(y=year) -> .filter(${c}__year=year) (a plain __year lookup is a range)`,
    `TypeORM: .where('EXTRACT(YEAR FROM t.${c}) = :year') -> .where('t.${c} >= :from AND t.${c} < :to') with the year's first days`,
    `ActiveRecord: where("EXTRACT(YEAR FROM ${c}) = ?", year) -> where(${c}: Date.new(year).all_year)`,
  ],
  date_trunc: (c) => [
    `Objection/Knex: .where(raw("date_trunc('month', ${c})"), start) -> .where('${c}', '>=', start).where('${c}', '<', nextStart)`,
    `Django: .annotate(m=TruncMonth('${c}')).filter(m=start) -> .filter(${c}__gte=start, ${c}__lt=next_start)`,
    `TypeORM: .where("date_trunc('month', t.${c}) = :start") -> .where('t.${c} >= :start AND t.${c} < :next')`,
    `ActiveRecord: where("date_trunc('month', ${c}) = ?", start) -> where(${c}: start...next_start)`,
  ],
  arithmetic: (c) => [
    `Objection/Knex: .whereRaw('${c} + ? = ?', [k, v]) -> .where('${c}', v - k) (compute on the value, not on the column)`,
    `Django: .annotate(x=F('${c}') + k).filter(x=v) -> .filter(${c}=v - k)`,
    `TypeORM: .where('t.${c} + 1 = :v') -> .where('t.${c} = :v', { v: v - 1 })`,
    `ActiveRecord: where('${c} + 1 = ?', v) -> where(${c}: v - 1)`,
  ],
};

const ORM_HINT: Record<RewriteKind, (r: RewriteEvidence) => string[]> = {
  count_over_joins: (r) =>
    r.dropped.length === 0
      ? [
          `Bookshelf: ${modelOf(r)}.fetchPage() counts the page's rows with count(DISTINCT id) -> fetchPage({ ..., disableCount: true }) ` +
            `and a count of your own with the same filter (${modelOf(r)}.query(...).count(), a count(*))`,
          ".countDistinct('id') (Knex/Objection) or .distinct.count(:id) (ActiveRecord) on one table -> .count('* as count') / .count",
        ]
      : countOverJoinsHints(r),
  unused_join: () => [
    `Objection/Knex: drop the .leftJoinRelated()/.leftJoin() whose columns nothing reads (keep .withGraphFetched() for data that is shown)`,
    'Django: drop select_related() of relations the code does not read; ActiveRecord: drop left_joins/includes/eager_load that nothing reads',
  ],
  function_on_indexed_column: (r) => PER_ROW_HINT[r.perRow?.shape ?? 'date'](r.perRow?.column ?? 'created_at'),
  wide_columns: (r) => {
    const cols = r.wide?.columns.map((c) => c.column) ?? [];
    const q = (c: string) => `'${c}'`;
    return [
      `Objection/Knex: ${modelOf(r)}.query() selects every column -> .select(<the columns the caller reads>) without ${cols.map(q).join(', ')}` +
        ` (or a modifier that does), and load ${cols.join(', ')} only where it is shown`,
      `Django: .defer(${cols.map(q).join(', ')}) or .only(...) on the list queryset`,
      `TypeORM: find({ select: {...} }) / .select([...]) without ${cols.join(', ')}, or @Column({ select: false }) on ${cols.join(', ')}`,
      `ActiveRecord: .select(...) without ${cols.join(', ')}`,
    ];
  },
  correlated_count: () => [
    "Objection/Knex: a .select(Model.relatedQuery('...').count().as('n')) per row -> a left join to " +
      "knex('child').select('fk').count('* as n').groupBy('fk') and coalesce(n, 0)",
    "Django: annotate(n=Subquery(...count...)) -> annotate(n=Count('children')) on the relation",
    'ActiveRecord: a select with a counting subquery -> left_joins(:children).group(:id).count, or a counter cache',
  ],
  keyset_pagination: (r) => [
    `Objection/Knex: .page(n, size) or .offset(n) -> .where('${r.keyset?.column ?? 'id'}', '${r.keyset?.desc ? '<' : '>'}', lastKey)` +
      `.orderBy('${r.keyset?.column ?? 'id'}'${r.keyset?.desc ? ", 'desc'" : ''}).limit(size); the API takes the previous page's last ` +
      `${r.keyset?.column ?? 'key'} (e.g. ?after=<last ${r.keyset?.column ?? 'key'}>) instead of a page number`,
    `Django: Paginator or [offset:offset+size] -> .filter(${r.keyset?.column ?? 'id'}__${r.keyset?.desc ? 'lt' : 'gt'}=last)` +
      `.order_by('${r.keyset?.desc ? '-' : ''}${r.keyset?.column ?? 'id'}')[:size]`,
    `ActiveRecord: .offset(n) -> .where('${r.keyset?.column ?? 'id'} ${r.keyset?.desc ? '<' : '>'} ?', last).order(${r.keyset?.column ?? 'id'}: ` +
      `:${r.keyset?.desc ? 'desc' : 'asc'}).limit(size)`,
  ],
};

function countOverJoinsHints(r: RewriteEvidence): string[] {
  return [
    `Objection/Knex: a .resultSize() or .count()/.countDistinct() on a query with .joinRelated()/.leftJoinRelated()/.withGraphJoined() ` +
      `-> count on the base query without the joins (e.g. ${modelOf(r)}.query().resultSize(), or .count('* as count') before the joins are added)`,
    'Django: .distinct().count() over select_related()/annotated joins -> Model.objects.filter(...).count() on the base queryset',
    'ActiveRecord: .left_joins(...).distinct.count(:id) -> Model.where(...).count',
  ];
}

function modelOf(r: RewriteEvidence): string {
  const t = r.table.split('.').pop() ?? 'Model';
  const singular = t.endsWith('s') ? t.slice(0, -1) : t;
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

/** The ORM calls that write the statement, the first one the most common. */
export function ormHints(r: RewriteEvidence): string[] {
  return ORM_HINT[r.kind](r);
}
