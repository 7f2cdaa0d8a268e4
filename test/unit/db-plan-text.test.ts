import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  equalityColumns,
  sortColumns,
  splitTopLevel,
  stripOuterParens,
} from '../../activities/skills/database-optimization-analyzer/plan-text';

test('stripOuterParens removes only enclosing pairs', () => {
  assert.equal(stripOuterParens('((a = $1))'), 'a = $1');
  assert.equal(stripOuterParens('(a = $1) AND (b = $2)'), '(a = $1) AND (b = $2)');
  assert.equal(stripOuterParens("(name = ')('::text)"), "name = ')('::text");
});

test('splitTopLevel ignores keywords inside parentheses and quotes', () => {
  assert.deepEqual(splitTopLevel("(a = $1) AND (b = ' AND ') AND (c OR d)", 'AND'), ['(a = $1)', "(b = ' AND ')", '(c OR d)']);
  assert.deepEqual(splitTopLevel('(a = $1) AND ((b = $2) OR (c = $3))', 'OR'), ['(a = $1) AND ((b = $2) OR (c = $3))']);
});

test('equalityColumns: single equality with a parameter', () => {
  assert.deepEqual(equalityColumns('(category_id = $1)'), ['category_id']);
  assert.deepEqual(equalityColumns('(products.category_id = $1)', 'products'), ['category_id']);
});

test('equalityColumns: AND of equality and range keeps equality columns in order', () => {
  assert.deepEqual(equalityColumns('((t.b > $2) AND (t.a = $1))', 't'), ['a']);
  assert.deepEqual(equalityColumns("((p.status = 'active'::text) AND (p.category_id = $1))", 'p'), ['status', 'category_id']);
});

test('equalityColumns: casts, reversed operands, ANY, quoted names', () => {
  assert.deepEqual(equalityColumns('((sku)::text = $1)'), ['sku']);
  assert.deepEqual(equalityColumns('(customer_id = ($1)::integer)'), ['customer_id']);
  assert.deepEqual(equalityColumns('($1 = tenant_id)'), ['tenant_id']);
  assert.deepEqual(equalityColumns('(id = ANY ($1))'), ['id']);
  assert.deepEqual(equalityColumns('("Order Id" = 42)'), ['Order Id']);
  assert.deepEqual(equalityColumns('(t."Weird""Col" = $1)', 't'), ['Weird"Col']);
});

test('equalityColumns: nothing for OR, joins, functions, other relations, inequalities', () => {
  assert.deepEqual(equalityColumns('((u.name = $1) OR (u.t_id = $2))', 'u'), []);
  assert.deepEqual(equalityColumns('(u.t_id = t.id)', 'u'), []);
  assert.deepEqual(equalityColumns('(lower(email) = $1)'), []);
  assert.deepEqual(equalityColumns('(o.customer_id = $1)', 'p'), []);
  assert.deepEqual(equalityColumns('(price > $1)'), []);
  assert.deepEqual(equalityColumns('(price <> $1)'), []);
  assert.deepEqual(equalityColumns(null), []);
  assert.deepEqual(equalityColumns('(NOT deleted)'), []);
});

test('equalityColumns: duplicates are reported once', () => {
  assert.deepEqual(equalityColumns('((a = $1) AND (a = $2))'), ['a']);
});

test('sortColumns: qualified keys with direction', () => {
  assert.deepEqual(sortColumns(['products.created_at DESC'], 'products'), [{ name: 'created_at', desc: true }]);
  assert.deepEqual(sortColumns(['p.price', 'p.id DESC'], 'p'), [
    { name: 'price', desc: false },
    { name: 'id', desc: true },
  ]);
  assert.deepEqual(sortColumns(['created_at DESC NULLS FIRST']), [{ name: 'created_at', desc: true }]);
  assert.deepEqual(sortColumns(['created_at NULLS LAST']), [{ name: 'created_at', desc: false }]);
});

test('sortColumns: null for expressions, other relations, non-default NULLS order, nothing', () => {
  assert.equal(sortColumns(['(lower(p.name))'], 'p'), null);
  assert.equal(sortColumns(['o.created_at DESC'], 'p'), null);
  assert.equal(sortColumns(['created_at DESC NULLS LAST']), null);
  assert.equal(sortColumns(['created_at NULLS FIRST']), null);
  assert.equal(sortColumns(['p.name COLLATE "C"'], 'p'), null);
  assert.equal(sortColumns([], 'p'), null);
  assert.equal(sortColumns(undefined), null);
});
