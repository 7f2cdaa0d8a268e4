#!/usr/bin/env bash
# Sets up the Express + Bookshelf RealWorld app (tanem/express-bookshelf-realworld-example-app) for a
# field test (docs/field-tests.md, section 2): its own database, the app's migrations, and a seed
# large enough that missing indexes matter. The app's code is NOT in this repository: pass the path
# of your own clone (with `npm install` done in it).
#
#   scripts/field/bookshelf-setup.sh /path/to/express-bookshelf-realworld-example-app [database]
#
# Then start the app with:
#   DB_NAME=field_bookshelf DB_USER=postgres DB_PASSWORD=x SECRET=<any> NODE_ENV=production \
#     PINO_LEVEL=warn PORT=3300 node --inspect=127.0.0.1:9339 lib/server.js
set -euo pipefail

app="${1:?usage: $0 /path/to/express-bookshelf-realworld-example-app [database]}"
db="${2:-field_bookshelf}"
psql_url="postgres://postgres@127.0.0.1:5432"

[[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "database name must be lower-case letters, digits and _: $db" >&2; exit 2; }
[ -f "$app/db/migrations/20171225064024_create_articles.js" ] ||
  { echo "$app does not look like the Bookshelf RealWorld app (no db/migrations)" >&2; exit 2; }
[ -d "$app/node_modules/knex" ] || { echo "run 'npm install' in $app first" >&2; exit 2; }

psql "$psql_url/postgres" -qtc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 &&
  { echo "database $db exists; drop it first: dropdb -h 127.0.0.1 -U postgres $db" >&2; exit 2; }
psql "$psql_url/postgres" -qc "CREATE DATABASE $db"
(cd "$app" && DB_NAME="$db" DB_USER=postgres DB_PASSWORD=x SECRET=setup \
  npx knex --knexfile config/knexfile.js migrate:latest)

# 10,000 users, 1,000 tags, 100,000 articles (3 tags each), 300,000 comments (articles 1-1,000 have
# 150 each, the other 150,000 spread over the rest), ~200,000 favorites, ~100,000 follows.
# Every user's password is "password" (one bcrypt hash, cost 10).
psql "$psql_url/$db" -v ON_ERROR_STOP=1 -q <<'SQL'
SELECT setseed(0.42);
INSERT INTO users (id, created_at, updated_at, username, email, hashed_password, bio, image)
SELECT i, now() - interval '1000 days', now() - interval '1000 days', 'user' || i,
       'user' || i || '@example.com',
       '$2b$10$xhsSOvo8E6Tm62e2CphSvuC5AOMaWMn1El.i60W9YUlwfpS3mx7by', 'bio of user ' || i, ''
FROM generate_series(1, 10000) i;
INSERT INTO tags (id, created_at, updated_at, name)
SELECT i, now(), now(), 'tag' || i FROM generate_series(1, 1000) i;
INSERT INTO articles (id, created_at, updated_at, slug, title, description, body, author)
SELECT i, ts, ts, 'article-' || i, 'Article ' || i, 'About article ' || i,
       repeat('Lorem ipsum dolor sit amet. ', 20 + (random() * 40)::int),
       1 + (random() * 9999)::int
FROM (SELECT i, now() - random() * interval '1000 days' AS ts FROM generate_series(1, 100000) i) a;
INSERT INTO articles_tags (created_at, updated_at, article, tag)
SELECT now(), now(), a, 1 + ((a * 7 + k * 331) % 1000)
FROM generate_series(1, 100000) a, generate_series(0, 2) k;
INSERT INTO comments (created_at, updated_at, body, author, article)
SELECT ts, ts, 'Comment ' || i, 1 + (random() * 9999)::int, article
FROM (SELECT i, now() - random() * interval '500 days' AS ts,
             CASE WHEN i <= 150000 THEN 1 + (i - 1) / 150
                  ELSE 1001 + (random() * 98999)::int END AS article
      FROM generate_series(1, 300000) i) c;
INSERT INTO favorites (created_at, updated_at, "user", article)
SELECT now(), now(), u, a
FROM (SELECT 1 + (random() * 9999)::int AS u, 1 + (random() * 99999)::int AS a
      FROM generate_series(1, 200000)) f
ON CONFLICT DO NOTHING;
INSERT INTO followers (created_at, updated_at, "user", follower)
SELECT now(), now(), u, f
FROM (SELECT 1 + (random() * 9999)::int AS u, 1 + (random() * 9999)::int AS f
      FROM generate_series(1, 100200)) x
WHERE u <> f
ON CONFLICT DO NOTHING;
SELECT setval(pg_get_serial_sequence('users', 'id'), 10000);
SELECT setval(pg_get_serial_sequence('tags', 'id'), 1000);
SELECT setval(pg_get_serial_sequence('articles', 'id'), 100000);
SQL
psql "$psql_url/$db" -qc "VACUUM ANALYZE"
psql "$psql_url/$db" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
psql "$psql_url/$db" -c "SELECT (SELECT count(*) FROM users) users, (SELECT count(*) FROM tags) tags,
  (SELECT count(*) FROM articles) articles, (SELECT count(*) FROM articles_tags) article_tags,
  (SELECT count(*) FROM comments) comments, (SELECT count(*) FROM favorites) favorites,
  (SELECT count(*) FROM followers) follows"
