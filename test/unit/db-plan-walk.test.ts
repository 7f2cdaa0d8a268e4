import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSeqScans, planCost, planRoot, planUsesIndex } from '../../activities/skills/database-optimization-analyzer/plan-walk';
import { candidateColumnLists, coveringIndex, type ExistingIndex } from '../../activities/skills/database-optimization-analyzer/index-candidates';
import { highestParam, whyNotPlannable } from '../../activities/skills/database-optimization-analyzer/generic-plan';

// Real EXPLAIN (FORMAT JSON, VERBOSE) output of PostgreSQL 15 (generic plans), trimmed of unused keys.
const TOP_N_SORT = [
  {
    Plan: {
      'Node Type': 'Limit', 'Startup Cost': 945.83, 'Total Cost': 946.08, 'Plan Rows': 100,
      Plans: [
        {
          'Node Type': 'Sort', 'Parent Relationship': 'Outer', 'Startup Cost': 945.83, 'Total Cost': 948.33, 'Plan Rows': 1000,
          'Sort Key': ['products.created_at DESC'],
          Plans: [
            {
              'Node Type': 'Seq Scan', 'Parent Relationship': 'Outer', 'Relation Name': 'products', Schema: 'shop', Alias: 'products',
              'Startup Cost': 0, 'Total Cost': 896.0, 'Plan Rows': 1000, Filter: '(products.category_id = $1)',
            },
          ],
        },
      ],
    },
    'Query Identifier': -8035889892123138955,
  },
];

const PARALLEL = [
  {
    Plan: {
      'Node Type': 'Limit', 'Total Cost': 588.8, 'Plan Rows': 28,
      Plans: [
        {
          'Node Type': 'Gather Merge', 'Total Cost': 591.72, 'Plan Rows': 278, 'Workers Planned': 2,
          Plans: [
            {
              'Node Type': 'Sort', 'Total Cost': 588.8, 'Plan Rows': 139, 'Sort Key': ['t.b DESC'],
              Plans: [
                {
                  'Node Type': 'Seq Scan', 'Parallel Aware': true, 'Relation Name': 't', Schema: 'public', Alias: 't',
                  'Total Cost': 583.5, 'Plan Rows': 139, Filter: '((t.b > $2) AND (t.a = $1))',
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
      'Node Type': 'Hash Join', 'Total Cost': 1805.29, 'Plan Rows': 21, 'Hash Cond': '(u.t_id = t.id)',
      Plans: [
        {
          'Node Type': 'Seq Scan', 'Relation Name': 'u', Schema: 'public', Alias: 'u', 'Total Cost': 409.0, 'Plan Rows': 21,
          Filter: '((u.name = $1) OR (u.t_id = $2))',
        },
        {
          'Node Type': 'Hash', 'Total Cost': 771.0, 'Plan Rows': 50000,
          Plans: [{ 'Node Type': 'Seq Scan', 'Relation Name': 't', Schema: 'public', Alias: 't', 'Total Cost': 771.0, 'Plan Rows': 50000 }],
        },
      ],
    },
  },
];

const SORT_ABOVE_AGG = [
  {
    Plan: {
      'Node Type': 'Sort', 'Total Cost': 1200, 'Plan Rows': 50, 'Sort Key': ['o.customer_id'],
      Plans: [
        {
          'Node Type': 'Aggregate', Strategy: 'Hashed', 'Total Cost': 1100, 'Plan Rows': 50,
          Plans: [
            {
              'Node Type': 'Seq Scan', 'Relation Name': 'orders', Schema: 'public', Alias: 'o', 'Total Cost': 1000, 'Plan Rows': 500,
              Filter: "(o.status = 'paid'::text)",
            },
          ],
        },
      ],
    },
  },
];

const INDEX_SCAN = [
  {
    Plan: {
      'Node Type': 'Limit', 'Total Cost': 112.58, 'Plan Rows': 100,
      Plans: [
        {
          'Node Type': 'Index Scan', 'Index Name': '<13556>btree_t_a_b', 'Relation Name': 't', Schema: 'public', Alias: 't',
          'Total Cost': 1125.41, 'Plan Rows': 1000, 'Index Cond': '(t.a = $1)',
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

test('seq scan under a top-N sort: equality column and sort key', () => {
  const [site] = findSeqScans(planRoot(TOP_N_SORT));
  assert.equal(site.schema, 'shop');
  assert.equal(site.relation, 'products');
  assert.deepEqual(site.equalityColumns, ['category_id']);
  assert.deepEqual(site.sortColumns, [{ name: 'created_at', desc: true }]);
  assert.deepEqual(candidateColumnLists(site), [
    [{ name: 'category_id' }, { name: 'created_at', desc: true }],
    [{ name: 'category_id' }],
  ]);
  assert.equal(planCost(planRoot(TOP_N_SORT)), 946.08);
});

test('parallel seq scan below Gather Merge/Sort', () => {
  const [site] = findSeqScans(planRoot(PARALLEL));
  assert.deepEqual(site.equalityColumns, ['a']);
  assert.deepEqual(site.sortColumns, [{ name: 'b', desc: true }]);
  assert.deepEqual(candidateColumnLists(site)[0], [{ name: 'a' }, { name: 'b', desc: true }]);
});

test('OR filter and unfiltered join input give no candidates', () => {
  const sites = findSeqScans(planRoot(JOIN_WITH_OR));
  assert.equal(sites.length, 2);
  for (const s of sites) {
    assert.deepEqual(s.equalityColumns, []);
    assert.equal(s.sortColumns, null);
    assert.deepEqual(candidateColumnLists(s), []);
  }
});

test('a Sort above an Aggregate does not count as the scan order', () => {
  const [site] = findSeqScans(planRoot(SORT_ABOVE_AGG));
  assert.deepEqual(site.equalityColumns, ['status']);
  assert.equal(site.sortColumns, null);
  assert.deepEqual(candidateColumnLists(site), [[{ name: 'status' }]]);
});

test('planUsesIndex finds hypothetical index names', () => {
  assert.equal(planUsesIndex(planRoot(INDEX_SCAN), '<13556>btree_t_a_b'), true);
  assert.equal(planUsesIndex(planRoot(TOP_N_SORT), '<13556>btree_t_a_b'), false);
  assert.deepEqual(findSeqScans(planRoot(INDEX_SCAN)), []);
});

test('a sort column that is also an equality column is dropped from the sort part', () => {
  const plan = structuredClone(TOP_N_SORT);
  plan[0].Plan.Plans[0]['Sort Key'] = ['products.category_id', 'products.created_at DESC'];
  const [site] = findSeqScans(planRoot(plan));
  assert.deepEqual(site.sortColumns, [{ name: 'created_at', desc: true }]);
});

test('coveringIndex: prefixes, directions, invalid and partial indexes', () => {
  const idx = (name: string, cols: [string, boolean][], extra: Partial<ExistingIndex> = {}): ExistingIndex => ({
    name, valid: true, partial: false, method: 'btree', columns: cols.map(([n, d]) => ({ name: n, desc: d })), ...extra,
  });
  const cand = [{ name: 'category_id' }, { name: 'created_at', desc: true }];
  assert.equal(coveringIndex(cand, 1, [idx('a', [['category_id', false], ['created_at', true], ['id', false]])]), 'a');
  assert.equal(coveringIndex(cand, 1, [idx('b', [['category_id', false], ['created_at', false]])]), 'b'); // backward scan
  assert.equal(coveringIndex(cand, 1, [idx('c', [['created_at', true], ['category_id', false]])]), null);
  assert.equal(coveringIndex(cand, 1, [idx('d', [['category_id', false]])]), null); // shorter
  assert.equal(coveringIndex(cand, 1, [idx('e', [['category_id', false], ['created_at', true]], { valid: false })]), null);
  assert.equal(coveringIndex(cand, 1, [idx('f', [['category_id', false], ['created_at', true]], { partial: true })]), null);
  assert.equal(coveringIndex(cand, 1, [idx('g', [['category_id', false], ['created_at', true]], { method: 'hash' })]), null);
  assert.equal(coveringIndex([{ name: 'category_id' }], 0, [idx('h', [['category_id', true], ['x', false]])]), 'h');
  const twoSort = [{ name: 'a' }, { name: 'b', desc: true }, { name: 'c' }];
  assert.equal(coveringIndex(twoSort, 2, [idx('i', [['a', false], ['b', false], ['c', true]])]), 'i'); // all reversed
  assert.equal(coveringIndex(twoSort, 2, [idx('j', [['a', false], ['b', true], ['c', true]])]), null); // mixed
});

test('generic plan helpers: parameters and what can be planned', () => {
  assert.equal(highestParam('SELECT * FROM t WHERE a = $1 AND b = $12 LIMIT $3'), 12);
  assert.equal(highestParam("SELECT '$9' FROM t WHERE a = $2"), 2);
  assert.equal(highestParam('SELECT 1'), 0);
  assert.equal(whyNotPlannable('SELECT * FROM t WHERE a = $1'), null);
  assert.equal(whyNotPlannable('WITH x AS (SELECT 1) SELECT * FROM x'), null);
  assert.equal(whyNotPlannable('SELECT * FROM t WHERE a = $1 FOR UPDATE'), null);
  assert.equal(whyNotPlannable("SELECT ';' FROM t;"), null);
  assert.match(whyNotPlannable('UPDATE t SET a = $1')!, /not a SELECT/);
  assert.match(whyNotPlannable('WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d')!, /data-modifying/);
  assert.match(whyNotPlannable('SELECT 1; DROP TABLE t')!, /more than one/);
  assert.match(whyNotPlannable('SELECT * INTO t2 FROM t')!, /INTO/);
  assert.equal(whyNotPlannable('SELECT "update" FROM t'), null);
});
