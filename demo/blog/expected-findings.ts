// What an expert finds in the demo blog, written down before perf-orchestrator ran on it. The
// diagnosis bench (npm run bench:diagnosis) and test/integration/blog-fixture.test.ts read this data.
//
// Statements per request were counted by hand from demo/blog/app.ts (page size 20, 3 tags, 3 favorites
// and 5 comments per article, a signed-in viewer) and checked with a pg_stat_statements diff around
// sequential requests of one endpoint at a time (bench/diagnosis/statement-count.ts; the bench prints
// the measured figure beside this one). Statement patterns match pg_stat_statements' normalized text.

export interface ExpectedEndpoint {
  name: string; // as in demo/targets/blog.yaml
  statementsPerRequest: number;
  byHand: string;
}

export interface ExpectedNPlusOne {
  id: string;
  endpoint: string;
  shape: 'association loader through a join table' | 'per-row count' | 'per-row existence check' | 'per-row EXISTS' | 'lazy getter';
  statement: string; // regular expression over the normalized statement text
  callsPerRequest: number; // on its endpoint, per request of that endpoint
  batched: string;
}

export interface ExpectedIndex {
  id: string;
  table: string;
  columns: string[]; // leading key columns, in order
  endpoints: string[];
  why: string;
}

export interface ExpectedRewrite {
  id: string;
  endpoint: string;
  statement: string; // regular expression over the normalized statement text
  rewrite: string;
  why: string;
}

export const BLOG_EXPECTED = {
  endpoints: [
    {
      name: 'articles',
      statementsPerRequest: 82,
      byHand: '1 count + 1 page (graph join) + 20 articles x (tags, favorites count, favorited, following)',
    },
    { name: 'article', statementsPerRequest: 3, byHand: 'the article by slug + withGraphFetched: 1 for the author, 1 for the tags' },
    { name: 'comments', statementsPerRequest: 7, byHand: 'the article by slug + its comments + 5 comment authors, one lazy getter each' },
    { name: 'archive', statementsPerRequest: 1, byHand: 'one page' },
    { name: 'views', statementsPerRequest: 1, byHand: 'one count' },
    { name: 'newsletters', statementsPerRequest: 1, byHand: 'one page of 20 newsletters' },
  ] satisfies ExpectedEndpoint[],
  nPlusOne: [
    {
      id: 'n1-article-tags',
      endpoint: 'articles',
      shape: 'association loader through a join table',
      statement: String.raw`from "tags" inner join "article_tags" on .* where "article_tags"\."article_id" in \(\$1\)`,
      callsPerRequest: 20,
      batched:
        'one query for the page: select "article_tags"."article_id", "tags".* from "tags" inner join "article_tags" ' +
        `on "tags"."id" = "article_tags"."tag_id" where "article_tags"."article_id" = ANY($1) (Objection: .withGraphFetched('tags') on the page query)`,
    },
    {
      id: 'n1-favorites-count',
      endpoint: 'articles',
      shape: 'per-row count',
      statement: String.raw`select count\(\*\) as "count" from \(select "users"\.\* from "users" inner join "favorites"`,
      callsPerRequest: 20,
      batched: 'select article_id, count(*) from favorites where article_id = ANY($1) group by article_id',
    },
    {
      id: 'n1-favorited',
      endpoint: 'articles',
      shape: 'per-row existence check',
      statement: String.raw`from "favorites" where "user_id" = \$1 and "article_id" = \$2`,
      callsPerRequest: 20,
      batched: 'select article_id from favorites where user_id = $1 and article_id = ANY($2)',
    },
    {
      id: 'n1-following',
      endpoint: 'articles',
      shape: 'per-row EXISTS',
      // pg_stat_statements normalizes the constant too: `select $3 from "follows"`.
      statement: String.raw`select exists \(select (?:1|\$\d+) from "follows" where "follower_id" = \$1 and "followed_id" = \$2\)`,
      callsPerRequest: 20,
      batched: 'select followed_id from follows where follower_id = $1 and followed_id = ANY($2)',
    },
    {
      // The same text is the article endpoint's eager author load (1 call there): pg_stat_statements merges them.
      id: 'n1-comment-author',
      endpoint: 'comments',
      shape: 'lazy getter',
      statement: String.raw`^select "users"\.\* from "users" where "users"\."id" in \(\$1\)$`,
      callsPerRequest: 5,
      batched: `select "users".* from "users" where "users"."id" = ANY($1) (Objection: .withGraphFetched('author') on the comments query)`,
    },
  ] satisfies ExpectedNPlusOne[],
  indexes: [
    {
      id: 'idx-articles-created_at',
      table: 'articles',
      columns: ['created_at'],
      endpoints: ['articles'],
      why: 'the page subquery ORDER BY created_at DESC LIMIT $1 OFFSET $2 sorts all articles per request',
    },
    {
      id: 'idx-article_tags-article_id',
      table: 'article_tags',
      columns: ['article_id'],
      endpoints: ['articles', 'article'],
      why: 'a foreign key without an index: every tags load scans the join table',
    },
    {
      id: 'idx-favorites-article_id',
      table: 'favorites',
      columns: ['article_id'],
      endpoints: ['articles'],
      why: 'the unique key (user_id, article_id) does not serve article_id alone: every favorites count scans the table',
    },
    {
      id: 'idx-comments-article_id',
      table: 'comments',
      columns: ['article_id'],
      endpoints: ['comments'],
      why: 'a foreign key without an index: every comments load scans the table',
    },
  ] satisfies ExpectedIndex[],
  rewrites: [
    {
      id: 'rw-articles-count',
      endpoint: 'articles',
      statement: String.raw`select count\(distinct "articles"\."id"\) as "count" from "articles" left join "users" as "author"`,
      rewrite: 'select count(*) from articles',
      why: 'LEFT JOIN to a unique key (users.id) that nothing selects cannot change the count; the favorites joins fan out only to be undone by DISTINCT',
    },
    {
      id: 'rw-archive-keyset',
      endpoint: 'archive',
      statement: String.raw`from "articles" order by "id" asc limit \$1 offset \$2`,
      rewrite:
        'select "id", "slug", "title", "created_at" from "articles" where "id" > $1 order by "id" asc limit $2 (keyset: the last id of the previous page)',
      why: 'a deep OFFSET reads and throws away every row before the page; no index avoids that',
    },
    {
      id: 'rw-views-year',
      endpoint: 'views',
      // pg_stat_statements prints extract's field as a parameter too.
      statement: String.raw`select count\(\*\) as "count" from "article_views" where extract\((?:year|\$\d+) from viewed_at\) = \$\d+`,
      rewrite:
        'select count(*) from article_views where viewed_at >= make_timestamptz(Y, 1, 1, 0, 0, 0) and viewed_at < make_timestamptz(Y + 1, 1, 1, 0, 0, 0)',
      why: 'extract(year from viewed_at) per row keeps the viewed_at index from serving the filter: a seq scan of every view',
    },
    {
      id: 'rw-newsletters-wide',
      endpoint: 'newsletters',
      statement: String.raw`select "newsletters"\.\* from "newsletters" order by "id" desc limit \$1`,
      rewrite: 'select id, subject, sent_at from newsletters order by id desc limit $1 (if the caller does not use html)',
      why: 'the list shows subject and date, yet the ORM selects the 80 kB html of each row: detoasted and sent for nothing',
    },
  ] satisfies ExpectedRewrite[],
};

export type BlogExpected = typeof BLOG_EXPECTED;
