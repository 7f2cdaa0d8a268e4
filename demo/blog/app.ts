// The demo "blog" API: a RealWorld-like read API written the way ORM code is commonly written, so the
// SQL it sends has the shapes real applications have (see demo/blog/expected-findings.ts for the list):
//
//   GET /api/articles?offset=N&as=U   count over unused joins, a page whose ORDER BY created_at DESC
//                                     LIMIT/OFFSET sits in a subquery, then per article: its tags through
//                                     the join table, its favorites count, "favorited?", "following?"
//   GET /api/articles/:slug           eager loading done right (withGraphFetched: one query per relation)
//   GET /api/articles/:slug/comments  the comments, then each comment's author through a lazy getter
//   GET /api/archive?page=N           a deep OFFSET page
//   GET /api/stats/views?year=Y       the views of a year: extract(year from viewed_at) per row, which
//                                     keeps the viewed_at index from serving it
//   GET /api/newsletters              the latest newsletters: the ORM selects every column, the 80 kB
//                                     html included, and the list shows subject and date only
//
// node:http, Objection.js on Knex (PostgreSQL). `as` stands for the signed-in user (no auth in a demo).
import http from 'node:http';
import type { Knex } from 'knex';
import { raw } from 'objection';
import { Article, ArticleView, Comment, Favorite, Follow, Newsletter, type User } from './models';

export const PAGE_SIZE = 20;
const INT4_MAX = 2_147_483_647;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function intParam(url: URL, name: string, dflt: number | null, max = INT4_MAX): number | null {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > max) throw new HttpError(400, `${name} must be an integer between 0 and ${max} (got "${v}")`);
  return n;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createBlogApp(knex: Knex): http.Server {
  const M = {
    Article: Article.bindKnex(knex),
    Comment: Comment.bindKnex(knex),
    Favorite: Favorite.bindKnex(knex),
    Follow: Follow.bindKnex(knex),
    ArticleView: ArticleView.bindKnex(knex),
    Newsletter: Newsletter.bindKnex(knex),
  };

  /** The feed entry of one article, loaded the way a serializer with lazy relations does: one article at a time. */
  async function entry(a: Article, viewer: number | null): Promise<unknown> {
    const tags = await a.$relatedQuery('tags');
    const favoritesCount = await a.$relatedQuery('favoritedBy').resultSize();
    let favorited = false;
    let following = false;
    if (viewer !== null) {
      favorited = !!(await M.Favorite.query().where({ user_id: viewer, article_id: a.id }).first());
      const sub = M.Follow.query().select(raw('1')).where({ follower_id: viewer, followed_id: a.author_id });
      const r = await knex.raw<{ rows: { following: boolean }[] }>('select exists ? as following', [sub.toKnexQuery()]);
      following = r.rows[0].following;
    }
    const author = a.author ? { username: a.author.username, bio: a.author.bio, image: a.author.image, following } : null;
    return {
      slug: a.slug,
      title: a.title,
      description: a.description,
      createdAt: a.created_at,
      tagList: tags.map((t) => t.name),
      favorited,
      favoritesCount,
      author,
    };
  }

  async function listArticles(url: URL): Promise<unknown> {
    const offset = intParam(url, 'offset', 0, 1_000_000)!;
    const viewer = intParam(url, 'as', null);
    // The count a paginator asks for, over the same joins as its filters (none of them used here).
    const [{ count }] = (await M.Article.query()
      .leftJoinRelated('[author, favoritedBy]')
      .countDistinct('articles.id as count')) as unknown as {
      count: string;
    }[];
    // LIMIT with a joined graph would cut the joined rows: the page's ids come from a subquery.
    const ids = M.Article.query().select('articles.id').orderBy('articles.created_at', 'desc').limit(PAGE_SIZE).offset(offset);
    const page = await M.Article.query().whereIn('articles.id', ids).withGraphJoined('author').orderBy('articles.created_at', 'desc');
    const articles = [];
    for (const a of page) articles.push(await entry(a, viewer));
    return { articles, articlesCount: Number(count) };
  }

  async function articleBySlug(slug: string): Promise<Article> {
    const a = await M.Article.query().findOne({ slug });
    if (!a) throw new HttpError(404, `no article with slug "${slug}"`);
    return a;
  }

  async function getArticle(slug: string): Promise<unknown> {
    const a = await M.Article.query().findOne({ slug }).withGraphFetched('[author, tags]');
    if (!a) throw new HttpError(404, `no article with slug "${slug}"`);
    return {
      article: { slug: a.slug, title: a.title, body: a.body, tagList: (a.tags ?? []).map((t) => t.name), author: a.author?.username },
    };
  }

  async function getComments(slug: string): Promise<unknown> {
    const a = await articleBySlug(slug);
    const comments = (await a.$relatedQuery('comments').orderBy('created_at', 'desc')) as unknown as Comment[];
    const out = [];
    for (const c of comments) {
      const author = (await c.$relatedQuery('author')) as unknown as User | undefined; // a lazy getter, as comment.author in a template
      out.push({ id: c.id, body: c.body, createdAt: c.created_at, author: author?.username ?? null });
    }
    return { comments: out };
  }

  async function archive(url: URL): Promise<unknown> {
    const page = intParam(url, 'page', 0, 100_000)!;
    const rows = await M.Article.query()
      .select('id', 'slug', 'title', 'created_at')
      .orderBy('id')
      .limit(PAGE_SIZE)
      .offset(page * PAGE_SIZE);
    return { page, articles: rows.map((r) => ({ id: r.id, slug: r.slug, title: r.title, createdAt: r.created_at })) };
  }

  async function viewsOfYear(url: URL): Promise<unknown> {
    const year = intParam(url, 'year', 2024, 9999)!;
    const [{ count }] = (await M.ArticleView.query()
      .whereRaw('extract(year from viewed_at) = ?', [year])
      .count('* as count')) as unknown as { count: string }[];
    return { year, views: Number(count) };
  }

  async function newsletters(): Promise<unknown> {
    const rows = await M.Newsletter.query().orderBy('id', 'desc').limit(PAGE_SIZE);
    return { newsletters: rows.map((n) => ({ id: n.id, subject: n.subject, sentAt: n.sent_at })) };
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://blog.local');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, `method ${req.method} not allowed; the blog demo is read-only`);
    if (path === '/health') return send(res, 200, { ok: true });
    if (path === '/api/articles') return send(res, 200, await listArticles(url));
    if (path === '/api/archive') return send(res, 200, await archive(url));
    if (path === '/api/stats/views') return send(res, 200, await viewsOfYear(url));
    if (path === '/api/newsletters') return send(res, 200, await newsletters());
    const comments = /^\/api\/articles\/([^/]+)\/comments$/.exec(path);
    if (comments) return send(res, 200, await getComments(decodeURIComponent(comments[1])));
    const article = /^\/api\/articles\/([^/]+)$/.exec(path);
    if (article) return send(res, 200, await getArticle(decodeURIComponent(article[1])));
    throw new HttpError(404, `no route for GET ${path}`);
  }

  return http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) return send(res, err.status, { error: err.message });
      if (err instanceof URIError) return send(res, 400, { error: 'malformed percent-encoding in the URL' });
      console.error(`[blog] ${req.method} ${req.url} failed: ${(err as Error)?.stack ?? String(err)}`);
      send(res, 500, { error: 'internal error (see the server log)' });
    });
  });
}
