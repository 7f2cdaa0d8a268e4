// Keys beyond plain columns, the pure parts: expression predicates read from the parse tree, the
// literal prefix of LIKE and regex patterns, the key a prefix pattern needs by collation and type,
// the expression equality used for coverage, and the candidates made of them.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ColumnInfo } from '../../activities/postgres/catalog';
import { coveredBy, type Candidate, type ExistingIndex } from '../../activities/postgres/index-model';
import { ensureParser, parseStatement } from '../../activities/postgres/sql-parse';
import { likePrefix, regexPrefix, unquoteSimple } from '../../activities/postgres/sql-expression-predicate';
import { sameIndexExpression } from '../../activities/postgres/sql-expression-equal';
import { accessesOf, candidatesFor } from '../../activities/skills/database-optimization-analyzer/advisor';
import { Catalog } from '../../activities/postgres/catalog';
import {
  accessKeys,
  expressionSelectivityBound,
  keyNotes,
  noOpCast,
  patternKey,
} from '../../activities/skills/database-optimization-analyzer/advisor/expression-keys';
import { catalogTable as table } from '../helpers/advisor-fixtures';

before(async () => assert.ok(await ensureParser()));

const exprPreds = (sql: string) => parseStatement(sql).scopes[0].exprPredicates;

function column(name: string, c: Partial<ColumnInfo> = {}): ColumnInfo {
  return { name, attnum: 1, type: 'text', notNull: true, nDistinct: 50_000, nullFrac: 0, avgWidth: 20, correlation: 0, ...c };
}

test('expression predicates: function calls, ->> paths, casts, IN and ranges, with their columns; qualifiers dropped', () => {
  const p = exprPreds(
    "SELECT 1 FROM s.t a WHERE lower(a.email) = $1 AND (payload->>'kind') IN ('x', 'y') AND code::int BETWEEN 1 AND $2 AND $3 < upper(name)",
  );
  assert.deepEqual(
    p.map((x) => [x.expression, x.op, x.columns.map((c) => c.column).join()]),
    [
      ['lower(email)', 'eq', 'email'],
      ["(payload ->> 'kind')", 'in', 'payload'],
      ['code::int4', 'range', 'code'],
      ['upper(name)', 'range', 'name'],
    ],
  );
  assert.equal(p[0].param, 1);
});

test('expression predicates: a plain column, an outer column, a parameter inside or a subquery make none', () => {
  assert.deepEqual(exprPreds('SELECT 1 FROM t WHERE email = $1 AND lower($2) = name'), []);
  assert.deepEqual(exprPreds('SELECT 1 FROM t WHERE lower(email || $1) = $2'), []);
  assert.deepEqual(exprPreds('SELECT 1 FROM t WHERE coalesce(a, (SELECT 1)) = 2'), []);
  const outer = parseStatement('SELECT 1 FROM u WHERE EXISTS (SELECT 1 FROM t WHERE lower(u.name) = t.x)').scopes;
  assert.ok(outer.every((s) => s.exprPredicates.length === 0));
});

test('prefix patterns: LIKE and ~ on a column or an expression, their literal prefix; a parameter has none yet', () => {
  const p = exprPreds("SELECT 1 FROM t WHERE email LIKE 'ab%' AND lower(name) ~ '^cd' AND sku LIKE $1 AND x LIKE '%z' AND y ILIKE 'a%'");
  assert.deepEqual(
    p.map((x) => [x.expression, x.columns[0].column, x.op, x.prefix, x.param]),
    [
      [null, 'email', 'prefix', 'ab', null],
      ['lower(name)', 'name', 'prefix', 'cd', null],
      [null, 'sku', 'prefix', null, 1],
      [null, 'x', 'prefix', '', null],
    ],
  );
});

test('prefix patterns: upper()/lower() of a literal or parameter (Django i* lookups) count as that pattern, case-folded', () => {
  const p = exprPreds(
    'SELECT 1 FROM a.t WHERE UPPER("t"."title"::text) LIKE UPPER($1) AND lower(name) LIKE lower(\'Ab%\'::text) ' +
      "AND UPPER(body) LIKE UPPER('%ab%') AND code LIKE upper(lower($2)) AND z LIKE concat($3, '%')",
  );
  assert.deepEqual(
    p.map((x) => [x.expression, x.columns[0].column, x.op, x.prefix, x.param]),
    [
      ['upper(title::text)', 'title', 'prefix', null, 1],
      ['lower(name)', 'name', 'prefix', 'ab', null],
      ['upper(body)', 'body', 'prefix', '', null],
    ],
  );
});

test('a cast of a column to its own type (description::text on text) is the plain column for a prefix key; varchar::text is not', () => {
  const p = exprPreds("SELECT 1 FROM t WHERE description::text LIKE 'ab%' AND sku::text LIKE 'cd%' AND note::varchar LIKE 'x%'");
  assert.deepEqual(
    p.map((x) => [x.expression, x.castTo]),
    [
      ['description::text', 'text'],
      ['sku::text', 'text'],
      ['note::varchar', 'varchar'],
    ],
  );
  const t = table([
    column('description', { typeName: 'text', collation: 'C.UTF-8' }),
    column('sku', { type: 'character varying(20)', typeName: 'varchar', collation: 'C.UTF-8' }),
    column('note', { type: 'character varying', typeName: 'varchar', collation: 'C.UTF-8' }),
  ]);
  assert.deepEqual(accessKeys(p, t, () => true).range, [
    { name: 'description', opclass: 'text_pattern_ops' },
    { name: 'sku::text', expression: true, opclass: 'text_pattern_ops' },
    { name: 'note', opclass: 'varchar_pattern_ops' },
  ]);
  assert.equal(
    noOpCast({ castTo: 'varchar' }, column('v', { type: 'character varying(20)', typeName: 'varchar' })),
    false,
    'the typmod stays',
  );
  assert.equal(noOpCast({ castTo: 'varchar' }, column('v', { type: 'character varying', typeName: 'varchar' })), true);
});

test('likePrefix / regexPrefix: up to the first wildcard or special character; escapes; unanchored regex has none', () => {
  assert.equal(likePrefix('abc%'), 'abc');
  assert.equal(likePrefix('%abc'), '');
  assert.equal(likePrefix('a_c%'), 'a');
  assert.equal(likePrefix('a\\%b%'), 'a%b');
  assert.equal(likePrefix('exact'), 'exact');
  assert.equal(regexPrefix('^abc'), 'abc');
  assert.equal(regexPrefix('^ab.*'), 'ab');
  assert.equal(regexPrefix('^abc?'), 'ab');
  assert.equal(regexPrefix('abc'), '');
  assert.equal(regexPrefix('^(a|b)'), '');
});

test('unquoteSimple: quotes dropped for plain lower-case names, kept for keywords, mixed case and inside literals', () => {
  assert.equal(unquoteSimple('lower("email")'), 'lower(email)');
  assert.equal(unquoteSimple('upper("select")'), 'upper("select")');
  assert.equal(unquoteSimple('lower("Email")'), 'lower("Email")');
  assert.equal(unquoteSimple(`("p" ->> '"k"''s')`), `(p ->> '"k"''s')`);
});

test('patternKey: C/POSIX collation -> plain key; otherwise the pattern operator class of the type; none for other types', () => {
  assert.deepEqual(patternKey('h', false, column('h', { collation: 'C', collationIsC: true, typeName: 'text' })), { name: 'h' });
  assert.deepEqual(patternKey('e', false, column('e', { collation: 'default', collationIsC: false, typeName: 'text' })), {
    name: 'e',
    opclass: 'text_pattern_ops',
  });
  assert.equal(patternKey('v', false, column('v', { collationIsC: false, typeName: 'varchar' }))?.opclass, 'varchar_pattern_ops');
  assert.equal(patternKey('b', false, column('b', { collationIsC: false, typeName: 'bpchar' }))?.opclass, 'bpchar_pattern_ops');
  assert.equal(patternKey('j', false, column('j', { collationIsC: false, typeName: 'citext' })), null);
  assert.deepEqual(patternKey('lower(d)', true, column('d', { collation: 'und-x-icu', collationIsC: false, typeName: 'varchar' })), {
    name: 'lower(d)',
    expression: true,
    opclass: 'text_pattern_ops',
  });
  assert.equal(patternKey('x', false, undefined), null);
});

test('sameIndexExpression: as pg_get_indexdef prints it (casts on literals, pg_catalog types, parentheses) vs as written', () => {
  assert.ok(sameIndexExpression("(payload ->> 'kind'::text)", "(payload ->> 'kind')"));
  assert.ok(sameIndexExpression('(code)::integer', 'code::int4'));
  assert.ok(sameIndexExpression("date_trunc('day'::text, t)", "date_trunc('day', t)"));
  assert.ok(!sameIndexExpression('lower(email)', 'upper(email)'));
  assert.ok(!sameIndexExpression('(a + 1)', '(a + 2)'));
  assert.ok(!sameIndexExpression("(payload ->> 'kind')", "(payload -> 'kind')"));
});

test('coverage: an existing expression index covers the candidate; a default-opclass index does not cover a pattern_ops key', () => {
  const idx = (name: string, text: string, opclass: string | null, col: string | null): ExistingIndex => ({
    name,
    valid: true,
    partial: false,
    method: 'btree',
    columns: [col === null ? null : { name: col, desc: false }],
    include: [],
    keys: [{ text, opclass, collation: null }],
  });
  const cand = (k: Candidate['keys'][number]): Candidate => ({ schema: 's', table: 't', keys: [k], eqCount: 1, include: [] });
  assert.equal(coveredBy(cand({ name: 'lower(email)', expression: true }), [idx('i1', 'lower(email)', null, null)]), 'i1');
  assert.equal(coveredBy(cand({ name: "(p ->> 'k')", expression: true }), [idx('i2', "(p ->> 'k'::text)", null, null)]), 'i2');
  assert.equal(coveredBy(cand({ name: 'email', opclass: 'text_pattern_ops' }), [idx('i3', 'email', null, 'email')]), null);
  assert.equal(coveredBy(cand({ name: 'email', opclass: 'text_pattern_ops' }), [idx('i4', 'email', 'text_pattern_ops', 'email')]), 'i4');
});

test('accessKeys: an expression of columns with few values is left out with why; a leading wildcard gets no key', () => {
  const t = table([column('status', { nDistinct: 3 }), column('email', { collationIsC: false, typeName: 'text' })]);
  const f = parseStatement("SELECT 1 FROM t WHERE lower(status) = $1 AND lower(email) = $2 AND email LIKE '%x' AND email LIKE $3");
  const k = accessKeys(f.scopes[0].exprPredicates, t, () => true);
  assert.deepEqual(k.eq, [{ name: 'lower(email)', expression: true }]);
  assert.deepEqual(k.range, [{ name: 'email', opclass: 'text_pattern_ops' }]);
  assert.equal(k.prefixParam, true);
  assert.equal(k.unselective.length, 1);
  assert.match(k.unselective[0], /lower\(status\).*~3 distinct/);
  assert.equal(expressionSelectivityBound([column('a', { nDistinct: 4 }), column('b', { nDistinct: 5 })]), 1 / 20);
  assert.equal(expressionSelectivityBound([column('a', { nDistinct: null })]), 0);
});

test('candidates: expression keys join the equalities (default selectivity), pattern keys are range keys, no INCLUDE on them', () => {
  const t = table([
    column('kind', { nDistinct: 4 }),
    column('tenant', { nDistinct: 50_000 }),
    column('email', { collationIsC: false, typeName: 'text' }),
  ]);
  const catalog = new Catalog(['s'], ['s'], [t]);
  const f = parseStatement("SELECT kind FROM s.t WHERE kind = $1 AND lower(email) = $2 AND tenant = $3 AND email LIKE 'ab%'");
  const [a] = accessesOf(f, catalog, { minTableRows: 1000 });
  const got = candidatesFor(a, { maxKeyColumns: 4, maxIncludeColumns: 3, maxIncludeWidth: 64 });
  assert.deepEqual(
    got.map((c) => c.keys.map((k) => `${k.name}${k.opclass ? ` ${k.opclass}` : ''}`).join(', ')),
    ['tenant, lower(email), kind, email text_pattern_ops', 'tenant, lower(email), kind'],
  );
  assert.ok(got.every((c) => c.include.length === 0));
  assert.match(keyNotes(got[0].keys, t).join(' | '), /text_pattern_ops: the collation .* is not C/);
});
