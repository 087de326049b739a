import type { Database, Rollout } from '@airlock/persistence';
import type { PgBoss } from '@airlock/queue';
import { AGGREGATE_QUEUE, DEAD_AGGREGATE_QUEUE, DEAD_SHARD_QUEUE, SHARD_QUEUE } from '@airlock/validation';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Queues whose depth /metrics shows. */
const QUEUES = [SHARD_QUEUE, AGGREGATE_QUEUE, DEAD_SHARD_QUEUE, DEAD_AGGREGATE_QUEUE];
const ROLLOUT_PHASES = ['Progressing', 'Paused', 'Degraded'] as const;

export interface WorkerMetrics {
  /** One gate judged: validation's, a shadow verdict's or a rollout analysis metric's. */
  gateOutcome(source: 'validation' | 'shadow' | 'rollout', gate: string, phase: string): void;
}

/**
 * The worker's own series beside the job durations (validation.processors.ts) and the default process metrics:
 * queue depth by state, the active rollouts by phase with each one's canary weight and step, and gate outcomes.
 * Gauges are read when /metrics is scraped (collect callbacks: one query each), never on a timer.
 */
export function registerWorkerMetrics(registry: Registry, db: Database, boss: PgBoss): WorkerMetrics {
  new Gauge({
    name: 'airlock_queue_depth',
    help: 'Jobs per queue and state (ready, deferred, active, failed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of await boss.getQueues(QUEUES).catch(() => [])) {
        this.set({ queue: queue.name, state: 'ready' }, queue.readyCount);
        this.set({ queue: queue.name, state: 'deferred' }, queue.deferredCount);
        this.set({ queue: queue.name, state: 'active' }, queue.activeCount);
        this.set({ queue: queue.name, state: 'failed' }, queue.failedCount);
      }
    },
  });
  // One query per scrape feeds the three rollout gauges (a registry collects its metrics concurrently): the
  // first collect starts it, the others share it.
  let scrape: { readonly at: number; readonly rollouts: Promise<Rollout[]> } | null = null;
  const activeRollouts = (): Promise<Rollout[]> => {
    const now = performance.now();
    if (scrape === null || now - scrape.at > 500) scrape = { at: now, rollouts: db.read.rollouts.active().catch(() => []) };
    return scrape.rollouts;
  };
  const label = (r: Rollout) => ({ deployment: r.spec.deployment, candidate: `${r.spec.candidate.model}@${r.spec.candidate.version}` });
  new Gauge({
    name: 'airlock_rollouts_active',
    help: 'Active rollouts by phase',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      const active = await activeRollouts();
      this.reset();
      for (const phase of ROLLOUT_PHASES) this.set({ phase }, active.filter((r) => r.status.phase === phase).length);
    },
  });
  new Gauge({
    name: 'airlock_rollout_canary_weight',
    help: 'Canary weight of each active rollout, percent',
    labelNames: ['deployment', 'candidate'],
    registers: [registry],
    async collect() {
      const active = await activeRollouts();
      this.reset();
      for (const r of active) this.set(label(r), r.status.canaryWeight);
    },
  });
  new Gauge({
    name: 'airlock_rollout_step',
    help: 'Step index of each active rollout',
    labelNames: ['deployment', 'candidate'],
    registers: [registry],
    async collect() {
      const active = await activeRollouts();
      this.reset();
      for (const r of active) this.set(label(r), r.status.stepIndex);
    },
  });
  const outcomes = new Counter({
    name: 'airlock_gate_outcomes_total',
    help: 'Gates judged, by source (validation, shadow, rollout), gate and phase',
    labelNames: ['source', 'gate', 'phase'],
    registers: [registry],
  });
  return {
    gateOutcome: (source, gate, phase) => outcomes.inc({ source, gate, phase }),
  };
}
