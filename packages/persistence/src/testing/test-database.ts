import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh, empty database on the machine's real PostgreSQL for one test file, dropped afterwards, so test
 * files run in parallel without seeing each other's rows. The server comes from TEST_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres, trust auth as on the project's machines and CI).
 */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

export const testServerUrl = (): string => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createTestDatabase(prefix = 'airlock_test'): Promise<TestDatabase> {
  const server = testServerUrl();
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
