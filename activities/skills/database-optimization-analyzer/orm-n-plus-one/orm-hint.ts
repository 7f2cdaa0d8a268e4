// Which ORM probably wrote a statement, guessed from how it writes SQL, and its eager-loading call
// for the shape. A guess from the text only: the finding says so.
import type { PerRowShape } from './shape';

export type Orm = 'Bookshelf' | 'Objection.js/Knex' | 'Django' | 'Sequelize' | 'ActiveRecord';

export function guessOrm(sql: string): Orm | null {
  const t = sql.trim();
  // Bookshelf (on Knex) loads every relation with `select distinct "t".*` and names a link's keys `_pivot_*`.
  if (/^select distinct "[^"]+"\.\*/.test(t) || /as "_pivot_[^"]+"/.test(t)) return 'Bookshelf';
  if (/objectiontmpjoin/i.test(t) || (/^select\s/.test(t) && t.includes('"'))) return 'Objection.js/Knex'; // Knex writes lowercase keywords
  if (!/^SELECT\s/.test(t)) return null;
  if (/\bFROM "[^"]+" AS "[A-Z]/.test(t)) return 'Sequelize';
  if (/^SELECT (DISTINCT )?"[^"]+"\.\* FROM/.test(t)) return 'ActiveRecord';
  if (/"[a-z0-9_]+"\."[a-z0-9_]+"/.test(t) && !/\.\*/.test(t)) return 'Django';
  return null;
}

type Family = 'load' | 'count' | 'exists';

function family(s: PerRowShape): Family {
  if (s.kind === 'per-row count') return 'count';
  if (s.kind === 'per-row EXISTS' || s.kind === 'per-row existence check') return 'exists';
  return 'load';
}

const HINTS: Record<Orm, Record<Family, (rel: string) => string>> = {
  Bookshelf: {
    load: (rel) =>
      `load the relation to ${rel} for all rows at once: withRelated: ['<relation>'] on the parent fetchAll/fetchPage ` +
      `(or collection.load(['<relation>']) once), not model.load() per row`,
    count: (rel) => `count in the parent query: .query((qb) => qb.select(<a correlated count of ${rel}>)), not a load or count per row`,
    exists: (rel) => `one query on ${rel} with whereIn on the page's keys, then a Set lookup per row`,
  },
  'Objection.js/Knex': {
    load: (rel) =>
      `load the relation to ${rel} for all rows at once: .withGraphFetched('<relation>') on the parent query (or .withGraphJoined)`,
    count: (rel) =>
      `count in the parent query: .select(Parent.relatedQuery('<relation to ${rel}>').count().as('<name>Count')), not resultSize() per row`,
    exists: (rel) => `one .whereIn() query on ${rel} for the page's keys, then a Set lookup per row`,
  },
  Django: {
    load: (rel) => `prefetch_related('<relation to ${rel}>') for a to-many relation, select_related('<fk>') for a to-one`,
    count: (rel) => `.annotate(n=Count('<relation to ${rel}>')) on the parent queryset`,
    exists: (rel) => `.annotate(flag=Exists(${rel}.objects.filter(<fk>=OuterRef('pk'), ...))) on the parent queryset`,
  },
  Sequelize: {
    load: (rel) => `include: [{ model: <${rel} model> }] on the parent findAll (separate: true for to-many)`,
    count: (rel) => `one findAll on ${rel} with attributes [key, [fn('COUNT', ...), 'count']] and group: [key]`,
    exists: (rel) => `one findAll on ${rel} with where: { key: keys } (Op.in), then a Set lookup`,
  },
  ActiveRecord: {
    load: (rel) => `.includes(:<association to ${rel}>) on the parent relation`,
    count: (rel) => `a counter_cache, or ${rel}.where(key: ids).group(:key).count once`,
    exists: (rel) => `${rel}.where(key: ids).pluck(:key) once, then a Set lookup`,
  },
};

/** The eager-loading pattern for the ORM the text suggests, or null when it suggests none. */
export function ormHint(sql: string, s: PerRowShape): { orm: Orm; hint: string } | null {
  const orm = guessOrm(sql);
  if (!orm) return null;
  return { orm, hint: HINTS[orm][family(s)](s.table) };
}
