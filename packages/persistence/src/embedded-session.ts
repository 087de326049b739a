import { EventEmitter } from 'node:events';
import { getPGliteInstance } from 'typeorm-pglite';

/** The PGlite instance typeorm-pglite manages (typed from it: its CJS and ESM declarations differ). */
export type EmbeddedPGlite = Awaited<ReturnType<typeof getPGliteInstance>>;

/**
 * PGlite is one PostgreSQL session in this process. typeorm-pglite's pool hands that session to every caller
 * at once, so two concurrent transactions interleave their BEGIN/COMMIT (one commits or aborts the other's
 * statements). This pool behaves like a pool of size one instead: `connect` checks the session out under a
 * lock and TypeORM's `release` returns it. Everything that touches the embedded database (TypeORM, pg-boss)
 * goes through `withEmbeddedSession`, so work is serialised per statement outside transactions and per
 * transaction inside them.
 *
 * Never wait for the database while holding a checked-out session (e.g. read through `db.read` inside a
 * `db.transaction`): on PGlite that waits forever. Inside a transaction, use its unit of work.
 */
let tail: Promise<void> = Promise.resolve();

function acquire(): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const acquired = tail.then(() => release);
  tail = tail.then(() => released);
  return acquired;
}

/** Runs `work` with the embedded session to itself. */
export async function withEmbeddedSession<T>(work: (pglite: EmbeddedPGlite) => Promise<T>): Promise<T> {
  const release = await acquire();
  try {
    return await work(await getPGliteInstance());
  } finally {
    release();
  }
}

type ConnectCallback = (error: Error | null, client: unknown, done: () => void) => void;
type QueryCallback = (error: Error | null, result: unknown) => void;

/** The `pg.Pool` TypeORM's postgres driver expects, over the one PGlite session. */
export class SerialPGlitePool extends EventEmitter {
  connect(callback: ConnectCallback): void {
    void acquire().then(async (release) => {
      let released = false;
      const done = () => {
        if (!released) {
          released = true;
          release();
        }
      };
      try {
        const pglite = await getPGliteInstance();
        callback(null, new CheckedOutSession(pglite), done);
      } catch (error) {
        done();
        callback(error as Error, null, () => undefined);
      }
    });
  }

  end(callback?: (error: Error | null) => void): void {
    void withEmbeddedSession((pglite) => pglite.close()).then(
      () => callback?.(null),
      (error: Error) => callback?.(error),
    );
  }
}

/** The client a checkout hands to TypeORM: plain queries on the session, which the checkout holds. */
class CheckedOutSession extends EventEmitter {
  constructor(private readonly pglite: EmbeddedPGlite) {
    super();
  }

  query(text: string, params?: unknown[] | QueryCallback, callback?: QueryCallback): Promise<unknown> {
    const cb = typeof params === 'function' ? params : callback;
    const values = Array.isArray(params) && params.length > 0 ? params : undefined;
    // Parameterless text may hold several statements (migrations): exec runs them all, TypeORM wants the last result.
    const run = values
      ? this.pglite.query(text, values)
      : this.pglite.exec(text).then((results) => results[results.length - 1] ?? { rows: [], fields: [] });
    return run.then(
      (result) => {
        cb?.(null, result);
        return result;
      },
      (error: Error) => {
        cb?.(error, null);
        throw error;
      },
    );
  }

  release(): void {}
}
