// Seed data for the demo "blog" target (a RealWorld-like API on Objection.js), and the reset that puts it
// back in its slow state.
//
// The schema is what a Knex migration of such an app creates: primary keys, the unique keys the app
// relies on (users.username, articles.slug, tags.name, favorites (user_id, article_id), follows
// (follower_id, followed_id)), and none of the indexes an expert would add: PostgreSQL does not index
// foreign keys by itself, so article_tags.article_id, favorites.article_id and comments.article_id
// have none, and nothing serves articles ORDER BY created_at DESC. article_views.viewed_at has the one
// plain index the migration declares (a per-row extract() keeps the views-per-year count from it).
//
// seedBlog() is idempotent: it keeps rows whose counts already match, else rebuilds every table with
// generate_series in one transaction (about 10 s for the default 100k articles on 2 cores). Either
// way it drops every index that backs no constraint and the schema does not declare (an index a run
// added disappears) and analyzes.
// Data is deterministic (no random()): created_at is distinct per article.
//
// CLI: `node --import tsx demo/blog/seed.ts [articles]` seeds $BLOG_DATABASE_URL, or creates and seeds
// blog_demo on $PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import { Pool, type PoolClient } from 'pg';
import { ensureDatabase, quoteIdent, redactUrl } from '../seed';

export interface BlogSeedOptions {
  articles?: number;
  users?: number;
}

export interface BlogSeedResult {
  counts: Record<string, number>;
  seconds: number;
  reseeded: boolean;
  droppedIndexes: string[];
}

export const BLOG_TABLES = [
  'users',
  'tags',
  'articles',
  'article_tags',
  'favorites',
  'follows',
  'comments',
  'article_views',
  'newsletters',
] as const;
/** Rows per article (tags, favorites, comments) and followees per user. */
export const PER_ARTICLE = { tags: 3, favorites: 3, comments: 5 } as const;
export const FOLLOWS_PER_USER = 10;
export const TAGS = 100;
/** Views per article (article_views, over 2019-2026) and newsletters (a fixed count, each about 80 kB of HTML: TOASTed). */
export const VIEWS_PER_ARTICLE = 2;
export const NEWSLETTERS = 400;
/** Indexes the schema itself declares (the app's migration): the reset keeps them. */
const SCHEMA_INDEXES = ['article_views_viewed_at_idx'];
const SEED_LOCK_KEY = 727_310_002;

export function expectedCounts(articles: number, users: number): Record<string, number> {
  return {
    users,
    tags: TAGS,
    articles,
    article_tags: articles * PER_ARTICLE.tags,
    favorites: articles * PER_ARTICLE.favorites,
    follows: users * FOLLOWS_PER_USER,
    comments: articles * PER_ARTICLE.comments,
    article_views: articles * VIEWS_PER_ARTICLE,
    newsletters: NEWSLETTERS,
  };
}

function checked(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min || value > 10_000_000) {
    throw new Error(`seedBlog: ${name} must be an integer between ${min} and 10000000 (got ${value})`);
  }
  return value;
}

async function currentCounts(client: PoolClient): Promise<Record<string, number> | null> {
  const present = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM unnest($1::text[]) AS t(name) WHERE to_regclass(t.name) IS NOT NULL`,
    [BLOG_TABLES],
  );
  if (present.rows[0].n !== BLOG_TABLES.length) return null;
  const counts: Record<string, number> = {};
  for (const t of BLOG_TABLES) {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteIdent(t)}`);
    counts[t] = rows[0].n;
  }
  return counts;
}

const SCHEMA = `
DROP TABLE IF EXISTS newsletters, article_views, comments, follows, favorites, article_tags, articles, tags, users CASCADE;
CREATE TABLE users (id int PRIMARY KEY, username text NOT NULL UNIQUE, email text NOT NULL UNIQUE, bio text, image text,
  created_at timestamptz NOT NULL);
CREATE TABLE tags (id int PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE articles (id int PRIMARY KEY, slug text NOT NULL UNIQUE, title text NOT NULL, description text NOT NULL, body text NOT NULL,
  author_id int NOT NULL REFERENCES users (id), created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE article_tags (id int PRIMARY KEY, article_id int NOT NULL REFERENCES articles (id), tag_id int NOT NULL REFERENCES tags (id));
CREATE TABLE favorites (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id), article_id int NOT NULL REFERENCES articles (id),
  UNIQUE (user_id, article_id));
CREATE TABLE follows (id int PRIMARY KEY, follower_id int NOT NULL REFERENCES users (id), followed_id int NOT NULL REFERENCES users (id),
  UNIQUE (follower_id, followed_id));
CREATE TABLE comments (id int PRIMARY KEY, article_id int NOT NULL REFERENCES articles (id), author_id int NOT NULL REFERENCES users (id),
  body text NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE article_views (id int PRIMARY KEY, article_id int NOT NULL REFERENCES articles (id), viewed_at timestamptz NOT NULL);
CREATE INDEX article_views_viewed_at_idx ON article_views (viewed_at);
CREATE TABLE newsletters (id int PRIMARY KEY, subject text NOT NULL, html text NOT NULL, sent_at timestamptz NOT NULL);`;

async function createAndFill(client: PoolClient, articles: number, users: number): Promise<void> {
  await client.query(SCHEMA);
  const t0 = `timestamptz '2024-01-01 00:00:00+00'`;
  await client.query(
    `INSERT INTO users SELECT u, 'user' || u, 'user' || u || '@example.com', 'Bio of user ' || u, NULL, ${t0} + u * interval '1 minute'
       FROM generate_series(1, $1::int) AS u`,
    [users],
  );
  await client.query(`INSERT INTO tags SELECT t, 'tag' || t FROM generate_series(1, ${TAGS}) AS t`);
  // created_at is a permutation of seconds over a year (7919 is prime, coprime with 31536000): all distinct.
  await client.query(
    `INSERT INTO articles
     SELECT a, 'article-' || a, 'Article ' || a, 'About topic ' || (a % 97), repeat('Body of article ' || a || '. ', 8),
            1 + (a * 37) % $2::int,
            ${t0} + ((a::bigint * 7919) % 31536000) * interval '1 second',
            ${t0} + ((a::bigint * 7919) % 31536000) * interval '1 second'
       FROM generate_series(1, $1::int) AS a`,
    [articles, users],
  );
  await client.query(
    `INSERT INTO article_tags SELECT (a - 1) * ${PER_ARTICLE.tags} + k, a, 1 + (a * 7 + k * 31) % ${TAGS}
       FROM generate_series(1, $1::int) AS a, generate_series(1, ${PER_ARTICLE.tags}) AS k`,
    [articles],
  );
  // (user, article) pairs are distinct: the k offsets (1013, 2026, 3039) are below the smallest users count allowed.
  await client.query(
    `INSERT INTO favorites SELECT (a - 1) * ${PER_ARTICLE.favorites} + k, 1 + (a * 31 + k * 1013) % $2::int, a
       FROM generate_series(1, $1::int) AS a, generate_series(1, ${PER_ARTICLE.favorites}) AS k`,
    [articles, users],
  );
  await client.query(
    `INSERT INTO follows SELECT (u - 1) * ${FOLLOWS_PER_USER} + k, u, 1 + (u + k * 97) % $1::int
       FROM generate_series(1, $1::int) AS u, generate_series(1, ${FOLLOWS_PER_USER}) AS k`,
    [users],
  );
  await client.query(
    `INSERT INTO comments SELECT (a - 1) * ${PER_ARTICLE.comments} + k, a, 1 + (a * 13 + k * 577) % $2::int,
            'Comment ' || k || ' on article ' || a, ${t0} + ((a::bigint * 7919 + k * 3600) % 31536000) * interval '1 second'
       FROM generate_series(1, $1::int) AS a, generate_series(1, ${PER_ARTICLE.comments}) AS k`,
    [articles, users],
  );
  // Views spread over eight years (252,460,800 s from 2019-01-01; 7919 is coprime with it).
  await client.query(
    `INSERT INTO article_views SELECT (a - 1) * ${VIEWS_PER_ARTICLE} + k, a,
            timestamptz '2019-01-01 00:00:00+00' + (((a::bigint * ${VIEWS_PER_ARTICLE} + k) * 7919) % 252460800) * interval '1 second'
       FROM generate_series(1, $1::int) AS a, generate_series(1, ${VIEWS_PER_ARTICLE}) AS k`,
    [articles],
  );
  // 2,500 md5s of HTML each (80 kB, barely compressible): stored out of line, as long newsletters are.
  await client.query(
    `INSERT INTO newsletters SELECT n, 'Newsletter ' || n,
            '<html><body>' || (SELECT string_agg(md5(n || '/' || i), ' ') FROM generate_series(1, 2500) AS i) || '</body></html>',
            timestamptz '2019-01-07 09:00:00+00' + n * interval '1 week'
       FROM generate_series(1, ${NEWSLETTERS}) AS n`,
  );
}

/** Drops every index on the blog's tables that backs no constraint and the schema does not declare; analyzes. */
async function resetWith(client: PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ schema: string; index: string }>(
    `SELECT n.nspname AS schema, ic.relname AS index
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
      WHERE i.indrelid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
        AND ic.relname <> ALL($2::text[])
      ORDER BY ic.relname`,
    [BLOG_TABLES, SCHEMA_INDEXES],
  );
  for (const r of rows) await client.query(`DROP INDEX IF EXISTS ${quoteIdent(r.schema)}.${quoteIdent(r.index)}`);
  await client.query(`ANALYZE ${BLOG_TABLES.map(quoteIdent).join(', ')}`);
  return rows.map((r) => r.index);
}

/** Seeds (when the counts differ) and resets the blog database; see the header comment. */
export async function seedBlog(pool: Pool, opts: BlogSeedOptions = {}): Promise<BlogSeedResult> {
  const articles = checked('articles', opts.articles ?? 100_000, 100);
  const users = checked('users', opts.users ?? Math.max(5_000, Math.round(articles / 10)), 5_000);
  const want = expectedCounts(articles, users);
  const started = process.hrtime.bigint();
  const client = await pool.connect();
  let reseeded = false;
  let droppedIndexes: string[];
  try {
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [SEED_LOCK_KEY]);
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await client.query('CREATE EXTENSION IF NOT EXISTS hypopg').catch((err: Error) => {
        console.warn(`warning: CREATE EXTENSION hypopg failed (${err.message}); index advice is not checked with hypothetical indexes`);
      });
      const have = await currentCounts(client);
      if (!have || BLOG_TABLES.some((t) => have[t] !== want[t])) {
        await client.query('BEGIN');
        try {
          await createAndFill(client, articles, users);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        reseeded = true;
        await client.query(`VACUUM ${BLOG_TABLES.map(quoteIdent).join(', ')}`);
      }
      droppedIndexes = await resetWith(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  const seconds = Math.round(Number(process.hrtime.bigint() - started) / 1e6) / 1000;
  return { counts: want, seconds, reseeded, droppedIndexes };
}

/** The URL of the blog database: $BLOG_DATABASE_URL, or blog_demo created on $PG_ADMIN_URL. */
export async function blogDatabaseUrl(): Promise<string> {
  if (process.env.BLOG_DATABASE_URL) return process.env.BLOG_DATABASE_URL;
  return ensureDatabase(process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'blog_demo');
}

async function cli(): Promise<void> {
  const articles = process.argv[2] ? Number(process.argv[2]) : undefined;
  const url = await blogDatabaseUrl();
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const r = await seedBlog(pool, { articles });
    const counts = Object.entries(r.counts).map(([t, n]) => `${n} ${t}`);
    console.log(
      `blog ${r.reseeded ? 'seeded' : 'already seeded'} in ${redactUrl(url)} (${r.seconds} s): ${counts.join(', ')}` +
        (r.droppedIndexes.length ? `; dropped indexes: ${r.droppedIndexes.join(', ')}` : ''),
    );
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  cli().catch((err) => {
    console.error(`blog seed failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
