import { PgBoss, fromPglite, type ConstructorOptions } from 'pg-boss';
import { withEmbeddedSession, type UnitOfWork } from '@airlock/persistence';

export interface JobQueueOptions {
  /** postgres://… — the same database as the application's; absent: the embedded PGlite database. */
  readonly databaseUrl?: string;
  /** How often pg-boss expires jobs whose worker stopped heartbeating, seconds (pg-boss default 60). */
  readonly superviseIntervalSeconds?: number;
  /** Connections of pg-boss's own pool (PostgreSQL only). */
  readonly poolSize?: number;
  /** Called on pg-boss's background errors (it must have a listener). */
  readonly onError: (error: Error) => void;
}

/** pg-boss's tables live in their own schema beside the application's. */
export const QUEUE_SCHEMA = 'pgboss';

/**
 * Starts pg-boss on the application's database. On the embedded database it goes through the same
 * one-session lock as TypeORM (see persistence's embedded-session), so its statements never land inside
 * another caller's transaction.
 */
export async function startJobQueue(options: JobQueueOptions): Promise<PgBoss> {
  // Only the options that are set: pg-boss treats an explicit undefined as a value and refuses it.
  const common: ConstructorOptions = {
    schema: QUEUE_SCHEMA,
    ...(options.superviseIntervalSeconds !== undefined
      ? { superviseIntervalSeconds: options.superviseIntervalSeconds, monitorIntervalSeconds: options.superviseIntervalSeconds }
      : {}),
  };
  const boss = options.databaseUrl
    ? new PgBoss({ ...common, connectionString: options.databaseUrl, max: options.poolSize ?? 4 })
    : new PgBoss({
        ...common,
        backend: 'pglite',
        // pg-boss's own PGlite adapter (it runs multi-statement SQL with exec), over the one-session lock.
        db: fromPglite({
          query: (text, params) => withEmbeddedSession((pglite) => pglite.query(text, params)),
          exec: (text) => withEmbeddedSession((pglite) => pglite.exec(text)),
        }),
      });
  boss.on('error', options.onError);
  await boss.start();
  return boss;
}

/**
 * A pg-boss `db` that runs on the caller's transaction: a job sent with `{ db: inTransaction(uow) }` exists
 * exactly when that transaction commits (no job for a rolled-back change, no change without its job).
 */
export function inTransaction(uow: UnitOfWork): { executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> } {
  return {
    async executeSql(text: string, values?: unknown[]) {
      const runner = uow.manager.queryRunner;
      if (!runner) throw new Error('inTransaction needs a unit of work inside a transaction');
      const result = await runner.query(text, values, true);
      return { rows: result.records as Record<string, unknown>[] };
    },
  };
}
