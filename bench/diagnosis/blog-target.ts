// The demo blog, seeded and served in this process on a free port, with its profile pointing at it.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import YAML from 'yaml';
import { createBlogApp } from '../../demo/blog/app';
import { blogKnex } from '../../demo/blog/db';
import { seedBlog, type BlogSeedResult } from '../../demo/blog/seed';
import { ensureDatabase } from '../../demo/seed';
import { parseTargetProfile, type TargetProfile } from '../../common/profile';

export const BLOG_PROFILE_FILE = join(__dirname, '../../demo/targets/blog.yaml');

export interface BlogTarget {
  profile: TargetProfile;
  env: Record<string, string>;
  databaseUrl: string;
  baseUrl: string;
  seed: BlogSeedResult;
  close(): Promise<void>;
}

/** blog.yaml's paths for a blog of `articles` articles and `users` users (the file is written for 100k / 10k). */
function pathFor(path: string, articles: number, users: number): string {
  const pages = Math.floor(articles / 20);
  return path
    .replace('{{int:1:100000}}', `{{int:1:${articles}}}`)
    .replace('{{int:1:10000}}', `{{int:1:${users}}}`)
    .replace('{{int:2500:4999}}', `{{int:${Math.floor(pages / 2)}:${pages - 1}}}`);
}

export async function startBlogTarget(opts: {
  adminUrl: string;
  database: string;
  articles?: number;
  load?: Partial<TargetProfile['load']>;
}): Promise<BlogTarget> {
  const databaseUrl = await ensureDatabase(opts.adminUrl, opts.database);
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  let seed: BlogSeedResult;
  try {
    seed = await seedBlog(pool, { articles: opts.articles });
  } finally {
    await pool.end();
  }
  const knex = blogKnex(databaseUrl);
  const server: Server = createBlogApp(knex);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const raw = YAML.parse(readFileSync(BLOG_PROFILE_FILE, 'utf8'));
  raw.http.baseUrl = baseUrl;
  raw.process = { port };
  raw.load = { ...raw.load, ...opts.load };
  raw.http.endpoints = raw.http.endpoints.map((e: { path: string }) => ({
    ...e,
    path: pathFor(e.path, seed.counts.articles, seed.counts.users),
  }));
  // The archive's sample page (offset 90,000 of 100k articles) at the same depth of a smaller blog.
  const deep = Math.floor((seed.counts.articles / 20) * 0.9) * 20;
  const advisor = raw.database?.advisor;
  if (advisor?.sampleQueries)
    advisor.sampleQueries = advisor.sampleQueries.map((q: string) => q.replace(/offset 90000\b/, `offset ${deep}`));
  return {
    profile: parseTargetProfile(raw, 'blog profile'),
    env: { BLOG_DATABASE_URL: databaseUrl },
    databaseUrl,
    baseUrl,
    seed,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await knex.destroy();
    },
  };
}
