import { Client } from 'pg';

/** Creates the database named in `url` when it does not exist (connecting to the server's `postgres` db). */
export async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new Error(`database name "${name}" in ${u.host} must be a plain identifier`);
  u.pathname = '/postgres';
  const admin = new Client({ connectionString: u.toString() });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL does not answer at ${u.host} (${(err as Error).message}). Start it, e.g.: ` +
        `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
      { cause: err },
    );
  }
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await admin.query(`CREATE DATABASE "${name}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile by another process
      });
    }
  } finally {
    await admin.end();
  }
}
