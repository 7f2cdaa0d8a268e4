// bench/diagnosis/match.ts: expected findings of the blog fixture against what the tool reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOG_EXPECTED } from '../../demo/blog/expected-findings';
import { matchAll, toolStatementsPerRequest, type ToolOutput } from '../../bench/diagnosis/match';
import type { ActionSpec, Finding } from '../../common/types';

function finding(id: string, rootCause: Finding['rootCause'], title: string, evidence: string[], action: ActionSpec): Finding {
  return {
    id,
    layer: 'database',
    rootCause,
    title,
    evidence,
    action,
    estimatedLatencyReductionMs: 12,
    effortDays: 1,
    risk: 'low',
    rollback: '',
    source: 't',
  };
}

const TAGS_SQL =
  'select "tags".* from "tags" inner join "article_tags" on "tags"."id" = "article_tags"."tag_id" where "article_tags"."article_id" in ($1)';
const index = (table: string, cols: string[]): ActionSpec => ({
  type: 'create_index',
  schema: 'public',
  table,
  columns: cols.map((name) => ({ name })),
  indexName: `i_${table}`,
});
const manual: ActionSpec = { type: 'manual', steps: ['batch it'] };

function statusOf(tool: ToolOutput, measured: Record<string, number> = {}): Record<string, string> {
  return Object.fromEntries(matchAll(BLOG_EXPECTED, tool, measured).map((r) => [r.id, r.status]));
}

test('nothing reported: every expected finding is missed', () => {
  const s = statusOf({ findings: [], statements: [], results: {} });
  assert.ok(Object.values(s).every((v) => v === 'missed'));
  assert.equal(Object.keys(s).length, 6 + 5 + 4 + 4);
});

test('an N+1 naming its statement is partly found until it names the endpoint too', () => {
  const f = (title: string) => finding('n1-x', 'n_plus_one', title, [`statement: ${TAGS_SQL}`], manual);
  assert.equal(statusOf({ findings: [f('N+1 on tags (20 calls per request)')], statements: [], results: {} })['n1-article-tags'], 'partly');
  assert.equal(
    statusOf({ findings: [f('N+1 on tags on endpoint articles (20 calls per request)')], statements: [], results: {} })['n1-article-tags'],
    'found',
  );
});

test('an index: found on the expected leading columns, partly on other columns of the table', () => {
  const found = statusOf({
    findings: [finding('i1', 'missing_index', 't', [], index('comments', ['article_id', 'created_at']))],
    statements: [],
    results: {},
  });
  assert.equal(found['idx-comments-article_id'], 'found');
  const other = statusOf({
    findings: [finding('i2', 'missing_index', 't', [], index('comments', ['author_id']))],
    statements: [],
    results: {},
  });
  assert.equal(other['idx-comments-article_id'], 'partly');
});

test('a rewrite is found when a finding quotes the statement and proposes the rewritten form with its saving and proof of equal results', () => {
  const sql = 'select "id", "slug", "title", "created_at" from "articles" order by "id" asc limit $1 offset $2';
  const quoteOnly = finding('rw', 'seq_scan_large_table', 'deep page', [`statement: ${sql}`], manual);
  assert.equal(statusOf({ findings: [quoteOnly], statements: [], results: {} })['rw-archive-keyset'], 'partly');
  const keyset = finding('rw', 'seq_scan_large_table', 'deep OFFSET: paginate by keyset', [`statement: ${sql}`], manual);
  assert.equal(statusOf({ findings: [keyset], statements: [], results: {} })['rw-archive-keyset'], 'partly', 'no saving, no proof');
  const claimed = finding(
    'rw',
    'query_rewrite',
    'deep OFFSET: paginate by keyset: not measured',
    [`statement: ${sql}`, 'returns the same result because id is unique'],
    manual,
  );
  assert.equal(statusOf({ findings: [claimed], statements: [], results: {} })['rw-archive-keyset'], 'partly', 'a reason is no proof');
  const evidence = [
    `statement: ${sql}`,
    'EXPLAIN ANALYZE before 21.8 ms -> after 0.02 ms (saving 99%)',
    'same result on the real data (20 rows compared)',
  ];
  const proven = finding('rw', 'query_rewrite', 'deep OFFSET: paginate by keyset', evidence, manual);
  assert.equal(statusOf({ findings: [proven], statements: [], results: {} })['rw-archive-keyset'], 'found');
  const otherKind = finding('rw', 'seq_scan_large_table', 'deep OFFSET: paginate by keyset', evidence, manual);
  assert.equal(statusOf({ findings: [otherKind], statements: [], results: {} })['rw-archive-keyset'], 'partly', 'not a query rewrite item');
});

test('per-endpoint statements per request: found anywhere in the results within 5%, partly otherwise', () => {
  const results = {
    profiling: {
      endpoints: [
        { name: 'articles', statementsPerRequest: 80 },
        { name: 'comments', statementsPerRequest: 9 },
      ],
    },
  };
  assert.equal(toolStatementsPerRequest(results, 'articles'), 80);
  const s = statusOf({ findings: [], statements: [], results });
  assert.equal(s.articles, 'found');
  assert.equal(s.comments, 'partly');
  assert.equal(s.archive, 'missed');
});
