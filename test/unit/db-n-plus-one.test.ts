import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTargetProfile } from '../../common/profile';
import type { StatementStat } from '../../common/types';
import { batchedForm, nPlusOneFinding, parseSingleLookup } from '../../activities/skills/database-optimization-analyzer/n-plus-one';
import { indexNameFor, quoteIdent, safeToken } from '../../activities/postgres/sql-ident';

const base = {
  name: 'shop',
  http: { baseUrl: 'http://127.0.0.1:3100', endpoints: [{ name: 'products', path: '/products' }] },
  database: { urlEnv: 'SHOP_DATABASE_URL' },
  targets: { p95Ms: 100, p99Ms: 200, throughputRps: 100 },
};
const opts = { minCallsPerRequest: 5, maxRowsPerCall: 10 };
const stat = (query: string, callsPerRequest: number, rowsPerCall = 1): StatementStat => ({
  queryid: '-42',
  query,
  calls: 2000,
  totalMs: 200,
  meanMs: 0.1,
  rows: 2000 * rowsPerCall,
  callsPerRequest,
});

test('parseSingleLookup recognizes one-table lookups by one parameter', () => {
  assert.deepEqual(parseSingleLookup('SELECT id, name FROM shop.categories WHERE id = $1'), {
    select: 'id, name',
    table: 'shop.categories',
    alias: null,
    column: 'id',
    hasLimit: false,
  });
  assert.equal(parseSingleLookup('select * from "Users" u where u.id = $1 limit $2')?.alias, 'u');
  assert.equal(parseSingleLookup('SELECT name FROM categories WHERE id = $1::int')?.column, 'id');
  assert.equal(parseSingleLookup('SELECT * FROM a JOIN b ON a.id = b.a_id WHERE a.id = $1'), null);
  assert.equal(parseSingleLookup('SELECT * FROM a, b WHERE a.id = $1'), null);
  assert.equal(parseSingleLookup('SELECT * FROM a WHERE id = $1 AND b = $2'), null);
  assert.equal(parseSingleLookup('SELECT * FROM a WHERE id = $2'), null);
  assert.equal(parseSingleLookup('SELECT (SELECT 1 FROM b) FROM a WHERE id = $1'), null);
  assert.equal(parseSingleLookup('SELECT * FROM a WHERE id > $1'), null);
});

test('batchedForm uses = ANY($1) and selects the key', () => {
  assert.equal(
    batchedForm(parseSingleLookup('SELECT id, name FROM categories WHERE id = $1')!),
    'SELECT id, name FROM categories WHERE id = ANY($1)',
  );
  assert.equal(
    batchedForm(parseSingleLookup('SELECT name FROM categories c WHERE c.id = $1 LIMIT $2')!),
    'SELECT c.id, name FROM categories c WHERE c.id = ANY($1)',
  );
  assert.equal(batchedForm(parseSingleLookup('SELECT * FROM categories WHERE id = $1')!), 'SELECT * FROM categories WHERE id = ANY($1)');
});

test('N+1 finding with a manual batching step when no toggle fixes it', () => {
  const target = parseTargetProfile(base);
  const f = nPlusOneFinding(stat('SELECT id, name FROM shop.categories WHERE id = $1', 20), target, opts)!;
  assert.equal(f.id, 'n1--42');
  assert.equal(f.rootCause, 'n_plus_one');
  assert.equal(f.layer, 'application');
  assert.equal(f.estimatedLatencyReductionMs, 19 * 0.15);
  assert.equal(f.action.type, 'manual');
  assert.match((f.action as { steps: string[] }).steps[0], /WHERE id = ANY\(\$1\)/);
  assert.ok(f.evidence.some((e) => /20 calls per request/.test(e)));
});

test('N+1 finding uses a feature toggle that fixes n_plus_one', () => {
  const target = parseTargetProfile({
    ...base,
    actions: { featureToggles: [{ name: 'batchCategories', fixes: 'n_plus_one', enabledValue: 'on', effortDays: 0.1 }] },
  });
  const f = nPlusOneFinding(stat('SELECT id, name FROM shop.categories WHERE id = $1', 20), target, opts)!;
  assert.deepEqual(f.action, { type: 'feature_toggle', toggle: 'batchCategories', value: 'on' });
  assert.equal(f.effortDays, 0.1);
  assert.equal(f.risk, 'low');
});

test('no N+1 below the calls-per-request threshold, for many rows per call, or for complex statements', () => {
  const target = parseTargetProfile(base);
  assert.equal(nPlusOneFinding(stat('SELECT * FROM c WHERE id = $1', 4), target, opts), null);
  assert.equal(nPlusOneFinding(stat('SELECT * FROM c WHERE id = $1', 20, 50), target, opts), null);
  assert.equal(nPlusOneFinding(stat('SELECT * FROM c WHERE id = $1 AND x = $2', 20), target, opts), null);
});

test('sql-ident: quoting and index names', () => {
  assert.equal(quoteIdent('a"b'), '"a""b"');
  assert.throws(() => quoteIdent(''));
  assert.equal(safeToken('Order Items!'), 'order_items');
  assert.equal(indexNameFor('products', ['category_id', 'created_at']), 'perf_products_category_id_created_at_idx');
  const long = indexNameFor('a_very_long_table_name_for_testing', ['first_long_column_name', 'second_long_column_name']);
  assert.ok(long.length <= 63, long);
  assert.match(long, /^perf_a_very_long.*_[0-9a-f]{8}_idx$/);
  assert.notEqual(long, indexNameFor('a_very_long_table_name_for_testing', ['first_long_column_name', 'second_long_column_name_2']));
});
