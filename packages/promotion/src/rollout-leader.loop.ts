import type { DataSource, QueryRunner } from 'typeorm';
import type { RolloutController, TickResult } from './rollout-controller.js';

export interface RolloutLeaderOptions {
  /** Time between ticks, ms (AIRLOCK_ROLLOUT_TICK_MS). 0 disables the loop. */
  readonly intervalMs: number;
  /**
   * false on the embedded database (PGlite: one process, one connection): leadership is trivially ours, and a
   * dedicated session would block every other transaction.
   */
  readonly advisoryLock: boolean;
  /** Advisory-lock key name (hashed with hashtextextended). */
  readonly lockName?: string;
}

export interface LoopLogger {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

export const ROLLOUT_LEADER_LOCK = 'airlock.rollout-controller';

/**
 * Runs the rollout controller's tick every `intervalMs`, only while this process is the leader: it holds a
 * PostgreSQL session-level advisory lock (`pg_try_advisory_lock`) on a dedicated connection kept for as long as it
 * leads. Any number of workers may run this loop; exactly one acts. When the leader's connection closes (process
 * death, network loss, `pg_terminate_backend`), PostgreSQL releases the lock and the next follower to try takes it.
 * One tick at a time: a slow tick delays the next instead of overlapping.
 */
export class RolloutLeaderLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private session: QueryRunner | undefined;
  private leading = false;
  private stopped = false;
  /** Ticks run while leading, and how many changed anything (for tests and metrics). */
  ticks = 0;
  changes = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly controller: RolloutController,
    private readonly options: RolloutLeaderOptions,
    private readonly logger?: LoopLogger,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (this.options.intervalMs <= 0) return;
    this.stopped = false;
    const tick = () => {
      this.running = this.runOnce().then(() => undefined).finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** One attempt: take or confirm leadership, then tick if leading. Never throws. */
  async runOnce(): Promise<TickResult | null> {
    try {
      if (!(await this.lead())) return null;
      const result = await this.controller.tick();
      this.ticks += 1;
      if (result.changed > 0) this.changes += 1;
      return result;
    } catch (error) {
      this.logger?.error({ err: error }, 'rollout controller tick failed; retrying next interval');
      return null;
    }
  }

  /** The backend pid of the leader's session (null when not leading on PostgreSQL). */
  async sessionPid(): Promise<number | null> {
    if (!this.session || !this.leading) return null;
    const rows = (await this.session.query('SELECT pg_backend_pid() AS pid')) as { pid: number }[];
    return rows[0]?.pid ?? null;
  }

  private async lead(): Promise<boolean> {
    if (!this.options.advisoryLock) return (this.leading = true);
    try {
      if (this.leading && this.session) {
        await this.session.query('SELECT 1'); // still connected, so still holding the lock
        return true;
      }
      if (!this.session) {
        this.session = this.dataSource.createQueryRunner();
        await this.session.connect();
      }
      const rows = (await this.session.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [this.options.lockName ?? ROLLOUT_LEADER_LOCK])) as { ok: boolean }[];
      this.leading = rows[0]?.ok === true;
      if (this.leading) this.logger?.info({}, 'rollout controller: leadership acquired');
      return this.leading;
    } catch (error) {
      if (this.leading) this.logger?.error({ err: error }, 'rollout controller: leadership lost with its connection');
      this.leading = false;
      await this.dropSession();
      return false;
    }
  }

  private async dropSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    // A broken connection must not go back to the pool: TypeORM's release() hands it to pg, which discards errored clients.
    await session?.release().catch(() => undefined);
  }

  /** Stops ticking and gives leadership up (unlock, then the session returns to the pool). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.session && this.leading && this.options.advisoryLock) {
      await this.session.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [this.options.lockName ?? ROLLOUT_LEADER_LOCK]).catch(() => undefined);
    }
    this.leading = false;
    await this.dropSession();
  }
}
