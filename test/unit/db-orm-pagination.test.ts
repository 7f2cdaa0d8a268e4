// ORM pagination shapes: sort keys followed through subquery and CTE aliases (sql-alias.ts), and
// the LIMIT of a subquery or CTE planned with the rows a call returns (limit-binding.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureParser, parseStatement } from '../../activities/postgres/sql-parse';
import { bindNestedLimits, nestedLimitParams } from '../../activities/postgres/limit-binding';

before(async () => {
  assert.equal(await ensureParser(), true);
});

const TYPEORM =
  'SELECT DISTINCT "distinctAlias"."article_id" AS "ids_article_id", "distinctAlias"."article_createdAt" FROM (SELECT "article"."id" AS "article_id", ' +
  '"article"."created_at" AS "article_createdAt", "author"."id" AS "author_id" FROM app.articles "article" ' +
  'LEFT JOIN app.users "author" ON "author"."id" = "article"."author_id") "distinctAlias" ' +
  'ORDER BY "distinctAlias"."article_createdAt" DESC, "article_id" ASC LIMIT $1';

test('TypeORM: the outer ORDER BY ... LIMIT reaches the table through the subquery aliases', () => {
  const f = parseStatement(TYPEORM);
  const inner = f.scopes.find((s) => s.relations.some((r) => r.name === 'articles'))!;
  assert.equal(inner.sortFromOuter, true);
  assert.deepEqual(
    inner.sort?.map((k) => `${k.col.qualifier}.${k.col.column}${k.desc ? ' DESC' : ''}`),
    ['article.created_at DESC', 'article.id'],
  );
});

test('a sort through a CTE or a SELECT * subquery; not through an aggregate, an expression or without a LIMIT', () => {
  const cte = parseStatement('WITH x AS (SELECT id, created_at AS c FROM app.articles) SELECT id FROM x ORDER BY x.c DESC LIMIT $1');
  assert.deepEqual(cte.scopes[0].sort?.[0].col, { qualifier: null, column: 'created_at' });
  const star = parseStatement('SELECT * FROM (SELECT * FROM app.articles) a ORDER BY a.created_at LIMIT 10');
  assert.equal(star.scopes[1].sortFromOuter, true);
  const none = [
    'SELECT * FROM (SELECT author_id, max(created_at) AS m FROM app.articles GROUP BY author_id) a ORDER BY a.m DESC LIMIT 10',
    "SELECT * FROM (SELECT id, created_at + interval '1 day' AS d FROM app.articles) a ORDER BY a.d LIMIT 10",
    'SELECT * FROM (SELECT id, created_at FROM app.articles) a ORDER BY a.created_at',
    'SELECT * FROM (SELECT id, created_at FROM app.articles ORDER BY id LIMIT 5) a ORDER BY a.created_at LIMIT 2',
  ];
  for (const q of none) {
    const f = parseStatement(q);
    assert.ok(!f.scopes.some((s) => s.sortFromOuter), q);
  }
});

test('a LIMIT inside a subquery or CTE is bound to the rows per call; the top LIMIT, OFFSET and other parameters stay', () => {
  const q =
    'SELECT a.*, u.name FROM (SELECT id, author_id, created_at FROM app.articles WHERE state = $3 ORDER BY created_at DESC LIMIT $1 OFFSET $2) a ' +
    'LEFT JOIN app.users u ON u.id = a.author_id ORDER BY a.created_at DESC LIMIT $4';
  const f = parseStatement(q);
  assert.deepEqual(
    nestedLimitParams(f).map((p) => p.param),
    [1],
  );
  const b = bindNestedLimits(q, f, 9.2)!;
  assert.match(b.text, /ORDER BY created_at DESC LIMIT 10 OFFSET \$2\) a /);
  assert.match(b.text, /LIMIT \$4$/);
  assert.deepEqual(b.paramTypes, ['int8', 'unknown', 'unknown', 'unknown']);
  assert.equal(bindNestedLimits(q, f, null), null, 'rows unknown: nothing bound');
  const cte = 'WITH page AS (SELECT id FROM app.articles ORDER BY created_at DESC LIMIT $1) SELECT * FROM page;';
  assert.equal(
    bindNestedLimits(cte, parseStatement(cte), 0)?.text,
    'WITH page AS (SELECT id FROM app.articles ORDER BY created_at DESC LIMIT 1) SELECT * FROM page',
  );
  // Top-level LIMIT: corrected on the plan (costAt), not bound; a parameter used twice is not bound either.
  for (const t of [
    'SELECT id FROM app.articles ORDER BY created_at DESC LIMIT $1',
    'SELECT * FROM (SELECT id FROM app.articles WHERE id > $1 LIMIT $1) a',
  ])
    assert.equal(bindNestedLimits(t, parseStatement(t), 20), null, t);
  const lateral =
    'SELECT u.id, x.id FROM app.users u LEFT JOIN LATERAL (SELECT id FROM app.articles a WHERE a.author_id = u.id LIMIT $1) x ON true';
  assert.equal(bindNestedLimits(lateral, parseStatement(lateral), 50), null, 'a LATERAL LIMIT is per outer row');
  // Non-ASCII text before the parameter: locations are bytes.
  const u = "SELECT * FROM (SELECT id FROM app.articles WHERE title = 'é' LIMIT $1) a";
  assert.match(bindNestedLimits(u, parseStatement(u), 3)!.text, /'é' LIMIT 3\) a$/);
});
