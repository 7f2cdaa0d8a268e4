// Why a statement got no candidate index, and the note listing the heavy ones (advisor/no-candidate.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, type CatalogTable } from '../../activities/postgres/catalog';
import { ensureParser, parseStatement } from '../../activities/postgres/sql-parse';
import {
  coveredReason,
  noAccessReason,
  noCandidateNote,
} from '../../activities/skills/database-optimization-analyzer/advisor/no-candidate';

before(async () => {
  assert.equal(await ensureParser(), true);
});

function table(name: string, reltuples: number): CatalogTable {
  const col = (n: string, attnum: number) =>
    [n, { name: n, attnum, type: 'integer', notNull: true, nDistinct: -1, nullFrac: 0, avgWidth: 4, correlation: 0 }] as const;
  return {
    oid: 1,
    schema: 'public',
    name,
    relkind: 'r',
    reltuples,
    relpages: 100,
    columns: new Map([col('id', 1), col('author', 2)]),
    indexes: [],
  };
}
const catalog = new Catalog(['public'], ['public'], [table('articles', 100_000), table('tags', 1000)]);
const opts = { minTableRows: 10_000 };
const why = (sql: string) => noAccessReason(parseStatement(sql), catalog, opts);

test('no access: the whole table read, a small table, an unknown table, a condition no plain-column index serves', () => {
  assert.equal(
    why('SELECT count(DISTINCT articles.id) FROM articles'),
    'articles: no WHERE, join key or ORDER BY ... LIMIT: it reads the whole table',
  );
  assert.equal(why('SELECT * FROM articles ORDER BY id'), 'articles: no WHERE, and its ORDER BY has no LIMIT: every row is read anyway');
  assert.match(why('SELECT * FROM tags'), /^tags: 1000 rows \(under 10000/);
  assert.equal(why('SELECT * FROM other WHERE x = $1'), 'other: not a table of the analyzed schemas');
  assert.match(why('SELECT * FROM articles WHERE lower(author::text) = $1'), /^articles: no filter\/sort key the advisor can index/);
  // A correlated subquery is no value: the outer block gets no predicate, and says why.
  assert.match(
    why('SELECT * FROM articles a WHERE a.author = (SELECT max(t.id) FROM tags t WHERE t.author = a.id)'),
    /^articles: no filter\/sort key .*; tags: 1000 rows/,
  );
  assert.equal(
    coveredReason(['public.articles(id) by articles_pkey']),
    'an existing index already serves it (public.articles(id) by articles_pkey)',
  );
  assert.equal(coveredReason([]), 'no candidate index could be formed from its columns');
});

test('the note: every statement without a candidate counted, those of at least 1% of the window time listed, heaviest first', () => {
  const list = [
    { query: 'select count(distinct "articles"."id")\n  from "articles"', totalMs: 6626, reason: 'articles: reads it whole' },
    { query: 'select * from tags', totalMs: 18, reason: 'tags: small' },
    { query: 'select * from users where id in ($1)', totalMs: 2000, reason: 'covered' },
  ];
  const note = noCandidateNote(list, 13, 50_000)!;
  assert.equal(
    note,
    '3 of 13 statement shapes got no candidate index; the heaviest (by window time): ' +
      '"select count(distinct "articles"."id") from "articles"" (6626 ms, 13.3%): articles: reads it whole; ' +
      '"select * from users where id in ($1)" (2000 ms, 4.0%): covered',
  );
  assert.equal(
    noCandidateNote([list[1]], 13, 50_000),
    '1 of 13 statement shapes got no candidate index, none of them 1% of the statement time or more',
  );
  assert.equal(noCandidateNote([], 13, 50_000), null);
  const many = Array.from({ length: 7 }, (_, i) => ({ query: `select ${i}`, totalMs: 1000 + i, reason: 'r' }));
  assert.match(noCandidateNote(many, 7, 10_000)!, /"select 6" .*; and 2 more$/);
});
