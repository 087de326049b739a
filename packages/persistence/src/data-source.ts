import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { MIGRATIONS } from '@airlock/migrations';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import { SerialPGlitePool } from './embedded-session.js';
import { ENTITIES } from './entities/index.js';

export interface DatabaseConfig {
  /** postgres://… selects a PostgreSQL server; absent selects the embedded PGlite database below. */
  readonly databaseUrl?: string;
  /** Folder of the embedded database (default ./.airlock/db). */
  readonly embeddedDir?: string;
  /** Connections in the pool (PostgreSQL only). */
  readonly poolSize?: number;
}

export type DatabaseKind = 'postgres' | 'embedded';

export const databaseKind = (config: DatabaseConfig): DatabaseKind => (config.databaseUrl ? 'postgres' : 'embedded');

/** typeorm-pglite's driver (it configures the PGlite instance) with our one-session-at-a-time pool. */
function embeddedDriver(dataDir: string): unknown {
  new PGliteDriver({ dataDir });
  return { Pool: SerialPGlitePool };
}

/**
 * One DataSource for both back ends: the schema comes only from migrations (never `synchronize`).
 * PGlite is real PostgreSQL compiled to WASM, in-process, with one connection: transactions serialise.
 */
export function createDataSource(config: DatabaseConfig): DataSource {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
  } as const;
  if (config.databaseUrl) {
    return new DataSource({
      ...common,
      type: 'postgres',
      url: config.databaseUrl,
      extra: { max: config.poolSize ?? 10 },
    } satisfies DataSourceOptions);
  }
  const dir = resolve(config.embeddedDir ?? '.airlock/db');
  mkdirSync(dir, { recursive: true });
  return new DataSource({
    ...common,
    type: 'postgres',
    // TypeORM's automatic CREATE EXTENSION crashes on PGlite (STACK.md): ids come from the application.
    installExtensions: false,
    driver: embeddedDriver(dir),
  } as DataSourceOptions);
}
