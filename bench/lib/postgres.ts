/** The benches' PostgreSQL housekeeping, through the server's admin database: fresh bench databases, backend pids. */
import pg from 'pg';

export async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops and recreates the bench database next to the admin one; returns its URL. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const quoted = `"${name.replace(/"/g, '""')}"`;
  await withAdmin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoted}`);
  });
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Pids of the PostgreSQL backends connected to a database (for CPU accounting). */
export async function backendPids(adminUrl: string, name: string): Promise<number[]> {
  return withAdmin(adminUrl, async (c) => {
    const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    return rows.map((r) => r.pid);
  });
}
