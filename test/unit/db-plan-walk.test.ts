import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  costAt,
  costModel,
  planCost,
  planExcerpt,
  planRoot,
  planUsesIndex,
  seqScannedRelations,
} from '../../activities/postgres/plan-walk';

// Real EXPLAIN (FORMAT JSON, VERBOSE) output of PostgreSQL 15 (generic plans), trimmed of unused keys.
const TOP_N_SORT = [
  {
    Plan: {
      'Node Type': 'Limit',
      'Startup Cost': 945.83,
      'Total Cost': 946.08,
      'Plan Rows': 100,
      Plans: [
        {
          'Node Type': 'Sort',
          'Parent Relationship': 'Outer',
          'Startup Cost': 945.83,
          'Total Cost': 948.33,
          'Plan Rows': 1000,
          'Sort Key': ['products.created_at DESC'],
          Plans: [
            {
              'Node Type': 'Seq Scan',
              'Parent Relationship': 'Outer',
              'Relation Name': 'products',
              Schema: 'shop',
              Alias: 'products',
              'Startup Cost': 0,
              'Total Cost': 896.0,
              'Plan Rows': 1000,
              Filter: '(products.category_id = $1)',
            },
          ],
        },
      ],
    },
    'Query Identifier': -8035889892123139072, // -8035889892123138955 as JSON.parse reads it (the nearest double)
  },
];

const PARALLEL = [
  {
    Plan: {
      'Node Type': 'Limit',
      'Total Cost': 588.8,
      'Plan Rows': 28,
      Plans: [
        {
          'Node Type': 'Gather Merge',
          'Total Cost': 591.72,
          'Plan Rows': 278,
          'Workers Planned': 2,
          Plans: [
            {
              'Node Type': 'Sort',
              'Total Cost': 588.8,
              'Plan Rows': 139,
              'Sort Key': ['t.b DESC'],
              Plans: [
                {
                  'Node Type': 'Seq Scan',
                  'Parallel Aware': true,
                  'Relation Name': 't',
                  Schema: 'public',
                  Alias: 't',
                  'Total Cost': 583.5,
                  'Plan Rows': 139,
                  Filter: '((t.b > $2) AND (t.a = $1))',
                },
              ],
            },
          ],
        },
      ],
    },
  },
];

const JOIN_WITH_OR = [
  {
    Plan: {
      'Node Type': 'Hash Join',
      'Total Cost': 1805.29,
      'Plan Rows': 21,
      'Hash Cond': '(u.t_id = t.id)',
      Plans: [
        {
          'Node Type': 'Seq Scan',
          'Relation Name': 'u',
          Schema: 'public',
          Alias: 'u',
          'Total Cost': 409.0,
          'Plan Rows': 21,
          Filter: '((u.name = $1) OR (u.t_id = $2))',
        },
        {
          'Node Type': 'Hash',
          'Total Cost': 771.0,
          'Plan Rows': 50000,
          Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 't', Schema: 'public', Alias: 't', 'Total Cost': 771.0, 'Plan Rows': 50000 }],
        },
      ],
    },
  },
];

const INDEX_SCAN = [
  {
    Plan: {
      'Node Type': 'Limit',
      'Total Cost': 112.58,
      'Plan Rows': 100,
      Plans: [
        {
          'Node Type': 'Index Scan',
          'Index Name': '<13556>btree_t_a_b',
          'Relation Name': 't',
          Schema: 'public',
          Alias: 't',
          'Total Cost': 1125.41,
          'Plan Rows': 1000,
          'Index Cond': '(t.a = $1)',
        },
      ],
    },
  },
];

test('planRoot accepts arrays, strings and result rows', () => {
  assert.equal(planRoot(TOP_N_SORT)['Node Type'], 'Limit');
  assert.equal(planRoot(JSON.stringify(TOP_N_SORT))['Node Type'], 'Limit');
  assert.equal(planRoot({ 'QUERY PLAN': TOP_N_SORT })['Node Type'], 'Limit');
  assert.throws(() => planRoot({ nope: 1 }), /not an EXPLAIN/);
});

test('sequentially scanned relations, schema-qualified', () => {
  assert.deepEqual([...seqScannedRelations(planRoot(TOP_N_SORT))], ['shop.products']);
  assert.equal(seqScannedRelations(planRoot(PARALLEL)).size, 1);
  assert.equal(seqScannedRelations(planRoot(JOIN_WITH_OR)).size, 2);
  assert.deepEqual([...seqScannedRelations(planRoot(INDEX_SCAN))], []);
});

test('planUsesIndex finds hypothetical index names', () => {
  assert.equal(planUsesIndex(planRoot(INDEX_SCAN), '<13556>btree_t_a_b'), true);
  assert.equal(planUsesIndex(planRoot(TOP_N_SORT), '<13556>btree_t_a_b'), false);
});

test('cost of what the statement fetches: the Limit recomputed with the rows per call', () => {
  const root = planRoot(TOP_N_SORT);
  assert.equal(planCost(root), 946.08);
  const m = costModel(root);
  assert.deepEqual(m, { total: 946.08, limited: { startup: 945.83, total: 948.33, rows: 1000 } });
  // A top-N sort reads everything before the first row: the cost hardly depends on the rows fetched.
  assert.ok(Math.abs(costAt(m, 20) - (945.83 + 2.5 * 0.02)) < 1e-9);
  assert.equal(costAt(m, null), 946.08);
  assert.match(
    planExcerpt(root),
    /^Limit \(cost=946.08, rows=100\) > Sort \(cost=948.33, rows=1000\) \[Sort Key: products.created_at DESC\] > Seq Scan on shop.products \(cost=896, rows=1000\) \[Filter: \(products.category_id = \$1\)\]$/,
  );
  assert.ok(planExcerpt(root, 40).length <= 40);
});

test('cost of a Limit over an InitPlan (an uncorrelated subquery): the limited node plus the InitPlan, not the InitPlan alone', () => {
  // PostgreSQL 15's generic plan of `WHERE author = (SELECT id FROM users WHERE username = $1) ORDER BY created_at DESC LIMIT $2`.
  const root = planRoot([
    {
      Plan: {
        'Node Type': 'Limit',
        'Startup Cost': 16871.47,
        'Total Cost': 16871.47,
        'Plan Rows': 1,
        Plans: [
          { 'Node Type': 'Index Scan', 'Parent Relationship': 'InitPlan', 'Startup Cost': 0.29, 'Total Cost': 8.3, 'Plan Rows': 1 },
          { 'Node Type': 'Sort', 'Parent Relationship': 'Outer', 'Startup Cost': 16863.17, 'Total Cost': 16863.19, 'Plan Rows': 10 },
        ],
      },
    },
  ]);
  const m = costModel(root);
  assert.deepEqual(m.limited, { startup: 16863.17 + 8.3, total: 16863.19 + 8.3, rows: 10 });
  assert.ok(Math.abs(costAt(m, 10) - (16863.19 + 8.3)) < 1e-9);
});
