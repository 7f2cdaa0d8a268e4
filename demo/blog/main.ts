// Entry point of the demo blog: `npm run demo:blog` (node --import tsx demo/blog/main.ts).
//   BLOG_DATABASE_URL  optional  default: blog_demo on $PG_ADMIN_URL (created if missing; seed it first)
//   BLOG_PORT          optional  default 3200
//   BLOG_HOST          optional  default 127.0.0.1
import { createBlogApp } from './app';
import { blogKnex } from './db';
import { blogDatabaseUrl } from './seed';
import { redactUrl } from '../seed';

function fail(message: string): never {
  console.error(`blog: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  const url = await blogDatabaseUrl();
  const host = process.env.BLOG_HOST || '127.0.0.1';
  const portRaw = process.env.BLOG_PORT || '3200';
  if (!/^\d+$/.test(portRaw) || Number(portRaw) > 65535) fail(`BLOG_PORT must be a port number (got "${portRaw}")`);
  const knex = blogKnex(url);
  const { rows } = await knex.raw<{ rows: { ok: boolean }[] }>(`select to_regclass('articles') is not null as ok`).catch((err: Error) => {
    fail(`PostgreSQL does not answer at ${redactUrl(url)}: ${err.message}`);
  });
  if (!rows[0].ok) fail(`table articles is missing in ${redactUrl(url)}; seed it with: node --import tsx demo/blog/seed.ts`);
  const server = createBlogApp(knex);
  server.keepAliveTimeout = 65_000;
  server.on('error', (err: NodeJS.ErrnoException) =>
    fail(err.code === 'EADDRINUSE' ? `port ${portRaw} is in use (set BLOG_PORT)` : err.message),
  );
  server.listen(Number(portRaw), host, () => console.log(`blog listening on http://${host}:${portRaw}`));
  const stop = (signal: string): void => {
    console.log(`[blog] ${signal}: shutting down`);
    server.close(() => void knex.destroy().then(() => process.exit(0)));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => fail((err as Error).stack ?? String(err)));
