// Seed data for the demo "shop" target, and the reset that puts the demo back in its slow state.
//
// seedShop() is idempotent: when categories/products/reviews already hold the expected row counts
// it keeps the data; otherwise it (re)creates the three tables with generate_series in one
// transaction (about 3 s for the default 200k products / 600k reviews). Either way it then resets the
// demo: every index on the three tables except the primary keys and reviews_product_id_idx is
// dropped (so an index added by an earlier optimization run disappears), and the tables are analyzed.
//
// Data is deterministic (no random()): the same options always produce the same rows, and every
// product has a distinct created_at, so "ORDER BY created_at DESC" has a single right answer.
//
// CLI: `node --import tsx demo/seed.ts [products]` seeds $SHOP_DATABASE_URL, or creates and seeds
// the database shop_demo on $PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
import { Client, Pool, type PoolClient } from 'pg';

export interface SeedOptions {
  products?: number;
  reviewsPerProduct?: number;
  categories?: number;
}

export interface SeedResult {
  products: number;
  reviews: number;
  seconds: number;
  /** false when the existing rows were kept (only the reset ran). */
  reseeded: boolean;
  /** Indexes removed by the reset (e.g. one created by an earlier optimization run). */
  droppedIndexes: string[];
}

export const SHOP_TABLES = ['categories', 'products', 'reviews'] as const;
/** The one secondary index the demo keeps: without it every review lookup would be a scan. */
export const KEPT_INDEX = 'reviews_product_id_idx';

const DEFAULTS = { products: 200_000, reviewsPerProduct: 3, categories: 50 };
// Arbitrary constant so concurrent seeders of the same database serialize instead of colliding.
const SEED_LOCK_KEY = 727_310_001;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min || value > 50_000_000) {
    throw new Error(`seedShop: ${name} must be an integer between ${min} and 50000000 (got ${value})`);
  }
  return value;
}

/** Creates the database `name` on the server of `adminUrl` when it is missing; returns its URL. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  if (!name || name.length > 63) throw new Error(`ensureDatabase: invalid database name "${name}"`);
  const admin = new Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL does not answer at ${redactUrl(adminUrl)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      try {
        await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      } catch (err) {
        // Another process created it between our check and our CREATE: that is fine.
        const code = (err as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw err;
      }
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** The URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function ensureExtensions(client: PoolClient): Promise<void> {
  for (const ext of ['pg_stat_statements', 'hypopg']) {
    try {
      await client.query(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === '23505' || code === '42710') continue; // created concurrently by someone else
      if (ext === 'hypopg') {
        console.warn(
          `warning: CREATE EXTENSION hypopg failed (${(err as Error).message}); index advice will not be ` +
            'checked with hypothetical indexes. Install it with: apt-get install postgresql-15-hypopg',
        );
      } else {
        throw new Error(
          `CREATE EXTENSION pg_stat_statements failed (${(err as Error).message}); it must be in ` +
            'shared_preload_libraries (run: npm run setup:services)',
          { cause: err },
        );
      }
    }
  }
}

async function currentCounts(client: PoolClient): Promise<{ categories: number; products: number; reviews: number } | null> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM unnest($1::text[]) AS t(name) WHERE to_regclass(t.name) IS NOT NULL`,
    [SHOP_TABLES],
  );
  if (rows[0].n !== SHOP_TABLES.length) return null;
  try {
    const r = await client.query<{ categories: number; products: number; reviews: number }>(
      `SELECT (SELECT count(*) FROM categories)::int AS categories,
              (SELECT count(*) FROM products)::int AS products,
              (SELECT count(*) FROM reviews)::int AS reviews`,
    );
    return r.rows[0];
  } catch {
    return null; // tables with an unexpected shape: reseed
  }
}

async function createAndFill(client: PoolClient, o: Required<SeedOptions>): Promise<void> {
  await client.query('DROP TABLE IF EXISTS reviews, products, categories CASCADE');
  await client.query(`CREATE TABLE categories (id int NOT NULL, name text NOT NULL)`);
  await client.query(`CREATE TABLE products (
      id bigint NOT NULL,
      category_id int NOT NULL,
      name text NOT NULL,
      price numeric(10,2) NOT NULL,
      stock int NOT NULL,
      created_at timestamptz NOT NULL)`);
  await client.query(`CREATE TABLE reviews (
      id bigint NOT NULL,
      product_id bigint NOT NULL,
      rating int NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL)`);
  // Filling before adding keys is much faster than maintaining the indexes row by row.
  await client.query(`INSERT INTO categories (id, name) SELECT c, 'Category ' || c FROM generate_series(1, $1::int) AS c`, [o.categories]);
  // Categories interleave (a category's products are spread over the whole table) and created_at is
  // a permutation of seconds over a year (7919 is prime and does not divide 31536000), all distinct.
  await client.query(
    `INSERT INTO products (id, category_id, name, price, stock, created_at)
     SELECT i,
            1 + (i * 7) % $2::int,
            'Product ' || i,
            round((1 + (i * 37) % 99900 / 100.0)::numeric, 2),
            (i * 13) % 500,
            timestamptz '2024-01-01 00:00:00+00' + ((i * 7919) % 31536000) * interval '1 second'
     FROM generate_series(1::bigint, $1::bigint) AS i`,
    [o.products, o.categories],
  );
  if (o.reviewsPerProduct > 0) {
    await client.query(
      `INSERT INTO reviews (id, product_id, rating, body, created_at)
       SELECT (p - 1) * $2::int + k,
              p,
              1 + (p * 3 + k * 7 + p / 7) % 5,
              'Review ' || k || ' of product ' || p || ': ' ||
                (ARRAY['great value', 'works as described', 'arrived late', 'would buy again', 'not for me'])[1 + (p + k) % 5],
              timestamptz '2024-01-01 00:00:00+00' + ((p * 7919 + k * 86400) % 31536000) * interval '1 second'
       FROM generate_series(1::bigint, $1::bigint) AS p, generate_series(1, $2::int) AS k`,
      [o.products, o.reviewsPerProduct],
    );
  }
  await client.query('ALTER TABLE categories ADD PRIMARY KEY (id)');
  await client.query('ALTER TABLE products ADD PRIMARY KEY (id)');
  await client.query('ALTER TABLE reviews ADD PRIMARY KEY (id)');
  await client.query(`CREATE INDEX ${KEPT_INDEX} ON reviews (product_id)`);
}

/**
 * Puts the demo back in its slow state: drops every index on categories/products/reviews except the
 * primary keys and reviews_product_id_idx (recreating that one if missing), then ANALYZEs the tables.
 * Returns the names of the dropped indexes.
 */
export async function resetDemoDatabase(pool: Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    return await resetWith(client);
  } finally {
    client.release();
  }
}

async function resetWith(client: PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ schema: string; index: string; table: string; constraint: string | null }>(
    `SELECT n.nspname AS schema, ic.relname AS index, tc.relname AS table, con.conname AS constraint
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
      WHERE i.indrelid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL)
        AND NOT i.indisprimary
        AND NOT (ic.relname = $2 AND tc.relname = 'reviews')
      ORDER BY ic.relname`,
    [SHOP_TABLES, KEPT_INDEX],
  );
  const dropped: string[] = [];
  for (const r of rows) {
    if (r.constraint) {
      // An index that backs a UNIQUE/EXCLUDE constraint can only go with its constraint.
      await client.query(
        `ALTER TABLE ${quoteIdent(r.schema)}.${quoteIdent(r.table)} DROP CONSTRAINT IF EXISTS ${quoteIdent(r.constraint)}`,
      );
    } else {
      await client.query(`DROP INDEX IF EXISTS ${quoteIdent(r.schema)}.${quoteIdent(r.index)}`);
    }
    dropped.push(r.index);
  }
  const reviewsExists = await client.query<{ ok: boolean }>(`SELECT to_regclass('reviews') IS NOT NULL AS ok`);
  if (reviewsExists.rows[0].ok) await client.query(`CREATE INDEX IF NOT EXISTS ${KEPT_INDEX} ON reviews (product_id)`);
  for (const t of SHOP_TABLES) {
    const exists = await client.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [t]);
    if (exists.rows[0].ok) await client.query(`ANALYZE ${quoteIdent(t)}`);
  }
  return dropped;
}

/** Seeds (when needed) and resets the demo database; see the header comment. */
export async function seedShop(pool: Pool, opts: SeedOptions = {}): Promise<SeedResult> {
  const o: Required<SeedOptions> = {
    products: checkCount('products', opts.products ?? DEFAULTS.products, 1),
    reviewsPerProduct: checkCount('reviewsPerProduct', opts.reviewsPerProduct ?? DEFAULTS.reviewsPerProduct, 0),
    categories: checkCount('categories', opts.categories ?? DEFAULTS.categories, 1),
  };
  const started = process.hrtime.bigint();
  const client = await pool.connect();
  let seeded = false;
  let dropped: string[];
  try {
    await client.query(`SET statement_timeout = 0`);
    await client.query('SELECT pg_advisory_lock($1)', [SEED_LOCK_KEY]);
    try {
      await ensureExtensions(client);
      const counts = await currentCounts(client);
      const expectedReviews = o.products * o.reviewsPerProduct;
      if (!counts || counts.categories !== o.categories || counts.products !== o.products || counts.reviews !== expectedReviews) {
        await client.query('BEGIN');
        try {
          await createAndFill(client, o);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        seeded = true;
        // Sets the visibility map too, so the freshly loaded tables behave like settled ones.
        await client.query('VACUUM (ANALYZE) categories, products, reviews');
      }
      dropped = await resetWith(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [SEED_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    products: o.products,
    reviews: o.products * o.reviewsPerProduct,
    seconds: Math.round(seconds * 1000) / 1000,
    reseeded: seeded,
    droppedIndexes: dropped,
  };
}

async function cli(): Promise<void> {
  const products = process.argv[2] ? Number(process.argv[2]) : undefined;
  let url = process.env.SHOP_DATABASE_URL;
  if (!url) {
    const admin = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    url = await ensureDatabase(admin, 'shop_demo');
    console.log(`SHOP_DATABASE_URL is not set; using ${redactUrl(url)}`);
  }
  const pool = new Pool({ connectionString: url, max: 2 });
  try {
    const r = await seedShop(pool, { products });
    console.log(
      `shop ${r.reseeded ? 'seeded' : 'already seeded'}: ${r.products} products, ${r.reviews} reviews in ${r.seconds} s` +
        (r.droppedIndexes.length ? `; dropped indexes: ${r.droppedIndexes.join(', ')}` : '; no extra indexes'),
    );
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  cli().catch((err) => {
    console.error(`seed failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
