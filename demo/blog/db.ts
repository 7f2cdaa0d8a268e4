// The blog's Knex instance (PostgreSQL through pg), as the server and the harnesses open it.
import Knex, { type Knex as KnexT } from 'knex';

export type BlogKnex = KnexT;

export function blogKnex(url: string, maxConnections = 10): BlogKnex {
  return Knex({
    client: 'pg',
    connection: { connectionString: url, application_name: 'blog-demo' },
    pool: { min: 0, max: maxConnections },
  });
}
