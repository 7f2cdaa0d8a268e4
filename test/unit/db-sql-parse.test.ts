// PostgreSQL's own parser (libpg-query, wasm): the facts the advisor and the N+1 check read.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureParser, normalizeForEvidence, parseStatement, tryParse } from '../../activities/postgres/sql-parse';
import { lookupFromFacts, nPlusOneFindings } from '../../activities/skills/database-optimization-analyzer/n-plus-one';
import { parseTargetProfile } from '../../common/profile';

before(async () => {
  assert.equal(await ensureParser(), true, 'libpg-query loads (wasm, no native build)');
});

test('predicates: =, IN/ANY, OR of equalities, ranges, BETWEEN, IS NULL, LIKE; joins; sort; limit', () => {
  const f = parseStatement(
    `SELECT p.id, p.name FROM shop.products p JOIN shop.categories c ON c.id = p.category_id
      WHERE p.status = $1 AND p.brand_id = ANY($2) AND (p.color = 'red' OR p.color = 'blue') AND p.price > $3
        AND p.created_at BETWEEN $4 AND $5 AND p.deleted_at IS NULL AND p.name LIKE 'ab%' AND lower(p.sku) = $6
      ORDER BY p.created_at DESC, p.id LIMIT $7`,
  );
  assert.equal(f.kind, 'select');
  assert.equal(f.statementCount, 1);
  assert.equal(f.maxParam, 7);
  assert.match(f.fingerprint!, /^[0-9a-f]{16}$/);
  const s = f.scopes[0];
  assert.deepEqual(s.relations, [
    { schema: 'shop', name: 'products', alias: 'p' },
    { schema: 'shop', name: 'categories', alias: 'c' },
  ]);
  assert.deepEqual(
    s.predicates.map((p) => `${p.col.qualifier}.${p.col.column} ${p.op}${p.param ? ` $${p.param}` : ''}`),
    ['p.status eq $1', 'p.brand_id in $2', 'p.color in', 'p.price range $3', 'p.created_at range', 'p.deleted_at isnull', 'p.name like'],
    'lower(p.sku) = $6 is an expression: no plain column index serves it',
  );
  assert.deepEqual(s.joins, [{ left: { qualifier: 'c', column: 'id' }, right: { qualifier: 'p', column: 'category_id' } }]);
  assert.deepEqual(s.sort, [
    { col: { qualifier: 'p', column: 'created_at' }, desc: true, nulls: 'default' },
    { col: { qualifier: 'p', column: 'id' }, desc: false, nulls: 'default' },
  ]);
  assert.equal(s.hasLimit, true);
});

test('fingerprints ignore constants and parameters, not structure', () => {
  const a = parseStatement('SELECT * FROM t WHERE a = 1').fingerprint;
  assert.equal(parseStatement('SELECT * FROM t WHERE a = $1').fingerprint, a);
  assert.notEqual(parseStatement('SELECT * FROM t WHERE b = $1').fingerprint, a);
});

test('blocks: subqueries, correlated references, CTEs, UNION, UPDATE/DELETE/INSERT', () => {
  const f = parseStatement(
    `WITH recent AS (SELECT id FROM posts WHERE author_id = $1)
     SELECT r.id, (SELECT count(*) FROM comments c WHERE c.post_id = r.id) FROM recent r`,
  );
  assert.deepEqual(f.cteNames, ['recent']);
  const rels = f.scopes.map((s) => s.relations.map((r) => r.name));
  assert.deepEqual(rels, [['posts'], [], ['comments']], 'the CTE name is not a table');
  assert.deepEqual(f.scopes[2].joins, [{ left: { qualifier: 'c', column: 'post_id' }, right: { qualifier: 'r', column: 'id' } }]);

  const u = parseStatement('SELECT id FROM a WHERE x = $1 UNION ALL SELECT id FROM b WHERE y = $1');
  assert.deepEqual(
    u.scopes.map((s) => s.predicates[0].col.column),
    ['x', 'y'],
  );

  const up = parseStatement('UPDATE sessions SET last_seen = now(), hits = hits + 1 WHERE token = $1');
  assert.equal(up.kind, 'update');
  assert.deepEqual(up.updatedColumns, ['last_seen', 'hits']);
  assert.deepEqual(up.writeTarget, { schema: null, name: 'sessions', alias: 'sessions' });
  assert.equal(up.scopes[0].predicates[0].col.column, 'token');

  const del = parseStatement('DELETE FROM cart_items WHERE cart_id = $1');
  assert.equal(del.kind, 'delete');
  const ins = parseStatement('INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING');
  assert.equal(ins.kind, 'insert');
  assert.equal(ins.maxParam, 2);
  assert.equal(ins.scopes.length, 0);
});

test('several statements and syntax errors are reported, never guessed', () => {
  assert.equal(parseStatement('SELECT 1; DROP TABLE t').statementCount, 2);
  assert.match((tryParse('SELEC 1') as { error: string }).error, /syntax error at or near "SELEC"/);
  assert.equal(parseStatement('SELECT 1 -- trailing comment\n;').text, 'SELECT 1 -- trailing comment');
});

test('normalizeForEvidence removes literal values', () => {
  assert.equal(
    normalizeForEvidence("SELECT * FROM users WHERE email = 'a@b.c' AND age > 30"),
    'SELECT * FROM users WHERE email = $1 AND age > $2',
  );
  assert.equal(
    normalizeForEvidence("SELECT * FROM users WHERE age > 30 AND email = 'a@b"),
    "SELECT * FROM users WHERE age > ? AND email = '?'",
    'text truncated inside a literal',
  );
});

test('N+1 lookups from the parser: = ANY form, key added to the select list, GROUP BY for an aggregate, LATERAL for a per-key LIMIT', () => {
  const shape = (q: string) => lookupFromFacts(parseStatement(q), () => 'bigint');
  assert.equal(shape('SELECT name FROM categories WHERE id = $1')!.batched, 'SELECT id, name FROM categories WHERE id = ANY($1)');
  assert.equal(
    shape('SELECT count(*)::int AS reviews, coalesce(avg(rating), 0)::float AS rating FROM reviews WHERE product_id = $1')!.batched,
    'SELECT product_id, count(*)::int AS reviews, coalesce(avg(rating), 0)::float AS rating FROM reviews WHERE product_id = ANY($1) GROUP BY product_id',
  );
  assert.equal(
    shape('SELECT * FROM t WHERE deleted = false AND t.parent_id = $1')!.batched,
    'SELECT * FROM t WHERE deleted = false AND t.parent_id = ANY($1)',
  );
  assert.equal(
    shape('SELECT id, body FROM comments WHERE post_id = $1 ORDER BY created_at DESC LIMIT 3')!.batched,
    'SELECT k.key, t.* FROM unnest($1::bigint[]) AS k(key) ' +
      'CROSS JOIN LATERAL (SELECT id, body FROM comments WHERE post_id = k.key ORDER BY created_at DESC LIMIT 3) AS t',
  );
  assert.equal(shape('SELECT * FROM a JOIN b ON a.id = b.a_id WHERE a.id = $1'), null, 'a join is not a single lookup');
  assert.equal(shape('SELECT * FROM a WHERE x = $1 AND y = $2'), null, 'two keys');
  assert.equal(shape('SELECT * FROM a WHERE id > $1'), null);
});

test('N+1 over the window: texts with one fingerprint are summed', () => {
  const target = parseTargetProfile({
    name: 'shop',
    http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'p', path: '/p' }] },
    database: { urlEnv: 'SHOP_DATABASE_URL' },
    targets: { p95Ms: 100, p99Ms: 200, throughputRps: 100 },
  });
  const st = (queryid: string, query: string, calls: number) => ({
    queryid,
    query,
    calls,
    totalMs: calls * 0.1,
    meanMs: 0.1,
    rows: calls,
    callsPerRequest: calls / 100,
  });
  const out = nPlusOneFindings(
    [
      st('1', 'SELECT name FROM categories WHERE id = $1', 300),
      st('2', 'select name from categories where id = $1 ', 400),
      st('3', 'SELECT * FROM big WHERE x = $1', 100),
    ],
    target,
    { minCallsPerRequest: 5, maxRowsPerCall: 10 },
  );
  assert.equal(out.length, 1);
  assert.equal(out[0].id, 'n1-2', 'named after the text with the most calls');
  assert.match(out[0].title, /\(7 calls per request\)/);
  assert.ok(out[0].evidence.some((e) => /and 1 more statement texts with the same fingerprint/.test(e)));
});

test('what is planned: SELECT INTO is not a query; a WITH that writes is a write (EXPLAIN only, with planWrites)', () => {
  assert.equal(parseStatement('SELECT * INTO t2 FROM t').kind, 'other');
  const w = parseStatement('WITH d AS (DELETE FROM t WHERE id = $1 RETURNING *) SELECT * FROM d');
  assert.equal(w.kind, 'select');
  assert.equal(w.modifiesData, true);
  assert.equal(parseStatement('SELECT * FROM t WHERE a = $1 FOR UPDATE').locking, true);
  assert.equal(parseStatement(`SELECT "update", ';' FROM t WHERE a = $12`).maxParam, 12);
});

test('subqueries as values: an uncorrelated scalar or ARRAY subquery is one (an InitPlan), a correlated one is not', () => {
  const preds = (sql: string) =>
    parseStatement(sql).scopes.map((s) => s.predicates.map((p) => `${p.col.column} ${p.op}${p.param ? ` $${p.param}` : ''}`));
  // Knex's whereRaw of the Bookshelf RealWorld app: the subquery runs once, its result probes articles(author).
  assert.deepEqual(preds('SELECT count(DISTINCT articles.id) FROM articles WHERE author = (SELECT id FROM users WHERE username = $1)'), [
    ['author eq'],
    ['username eq $1'],
  ]);
  assert.deepEqual(preds('SELECT * FROM articles a WHERE a.author = ANY(ARRAY(SELECT u.id FROM users u WHERE u.bio = $1))'), [
    ['author in'],
    ['bio eq $1'],
  ]);
  // IN (SELECT ...) stays a semi-join on the column; inside it, tag = (SELECT ...) is an equality.
  assert.deepEqual(
    preds('SELECT * FROM articles WHERE id IN (SELECT article FROM articles_tags WHERE tag = (SELECT id FROM tags WHERE name = $1))'),
    [['id in'], ['tag eq'], ['name eq $1']],
  );
  // Correlated: it reads the outer row (a.title), so it is re-run per row and gives no predicate on author.
  assert.deepEqual(preds('SELECT * FROM articles a WHERE a.author = (SELECT u.id FROM users u WHERE u.bio = a.title)'), [[], []]);
  // An aliased table is known by its alias only: articles.y names the outer articles.
  assert.deepEqual(preds('SELECT * FROM articles WHERE author = (SELECT max(a2.author) FROM articles a2 WHERE a2.x = articles.y)'), [
    [],
    [],
  ]);
  // A deeper subquery that reads the outermost block makes the whole subquery correlated.
  assert.deepEqual(
    preds(
      'SELECT * FROM articles a WHERE a.author = (SELECT u.id FROM users u WHERE u.id IN (SELECT f.user FROM follows f WHERE f.x = a.id))',
    ),
    [[], ['id in'], []],
  );
  // EXISTS is a test, not a value.
  assert.deepEqual(preds('SELECT * FROM articles WHERE flag = EXISTS (SELECT 1 FROM users WHERE username = $1)'), [[], ['username eq $1']]);
});

test('OR over different columns: one group, each branch its own predicates; an OR on one column stays an IN list', () => {
  const show = (ps: { col: { column: string }; op: string; param: number | null }[]) =>
    ps.map((p) => `${p.col.column} ${p.op}${p.param ? ` $${p.param}` : ''}`);
  const f = parseStatement(
    `SELECT id FROM t WHERE tenant_id = $1 AND ((kind = $2 AND owner_id = $3) OR assignee_id IN ($4, $5) OR due_at BETWEEN $6 AND $7)`,
  );
  const s = f.scopes[0];
  assert.deepEqual(show(s.predicates), ['tenant_id eq $1'], 'the AND-ed conjunct stays a predicate of its own');
  assert.deepEqual(
    s.orGroups.map((g) => g.branches.map(show)),
    [[['kind eq $2', 'owner_id eq $3'], ['assignee_id in'], ['due_at range']]],
  );

  const same = parseStatement('SELECT id FROM t WHERE a = $1 OR a = $2 OR a IN ($3, $4)').scopes[0];
  assert.deepEqual(show(same.predicates), ['a in']);
  assert.deepEqual(same.orGroups, []);

  const two = parseStatement('SELECT id FROM t WHERE a = $1 OR b = ANY($2)').scopes[0];
  assert.deepEqual(
    two.orGroups.map((g) => g.branches.map(show)),
    [[['a eq $1'], ['b in $2']]],
  );
  assert.deepEqual(two.predicates, [], 'neither column filters every row: no predicate of its own');
});

test('OR groups: a branch an index cannot probe leaves the whole OR unindexed', () => {
  const groups = (sql: string) => parseStatement(sql).scopes[0].orGroups.length;
  assert.equal(groups('SELECT id FROM t WHERE a = $1 OR lower(b) = $2'), 0, 'an expression branch');
  assert.equal(groups('SELECT id FROM t WHERE a = $1 OR b <> $2'), 0, 'a branch without an indexable operator');
  assert.equal(groups('SELECT t.id FROM t JOIN u ON u.id = t.u_id WHERE t.a = $1 OR t.b = u.c'), 0, 'a join branch');
  assert.equal(groups('SELECT id FROM t WHERE a = $1 OR (b = $2 OR c = $3)'), 1, 'a nested OR is flattened');
  assert.equal(groups('SELECT id FROM t WHERE NOT (a = $1 OR b = $2)'), 0, 'NOT (... OR ...) is no BitmapOr');
});
