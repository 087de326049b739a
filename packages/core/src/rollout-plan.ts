import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from './audit-chain.js';
import { DomainError } from './errors.js';
import { zodProblems } from './manifest.js';

/**
 * A rollout plan is data (Argo Rollouts' canary `steps`), approved together with the artifact: risk signs the
 * plan's hash, so a plan cannot change after approval without a new promotion.
 */
const setWeightStep = z.strictObject({
  /** Percent of parent orders routed to the canary, 0–100. */
  setWeight: z.number().int().min(0).max(100),
});
const pauseStep = z.strictObject({
  /** Absent: paused until a human resumes the rollout. */
  pause: z.strictObject({ durationSeconds: z.number().int().positive().max(7 * 24 * 3600).optional() }),
});
const analysisStep = z.strictObject({
  /** Analysis templates run at this step; the rollout waits for their verdict (DESIGN.md principle 5). */
  analysis: z.strictObject({ templates: z.array(z.string().min(1).max(100)).min(1).max(20) }),
});
const stepSchema = z.union([setWeightStep, pauseStep, analysisStep]);

/** Exposure of the canary in trading units (DESIGN.md principle 7), enforced while canaryWeight < 100. */
const capsSchema = z.strictObject({
  /** Percent of parent orders, 0–100: no canary `setWeight` below 100 may exceed it. */
  maxShareOfParentOrders: z.number().min(0).max(100),
  /** Largest parent-order notional the canary may take, in the deployment's quote currency. */
  maxNotionalPerOrder: z.number().positive(),
  /** Parent orders per minute the canary may take. */
  maxOrdersPerMinute: z.number().int().positive(),
  /** Instruments the canary may trade; `"*"` alone means every instrument the deployment trades. */
  allowedInstruments: z.array(z.string().min(1).max(64)).min(1).max(10_000),
});

export const rolloutPlanSchema = z
  .strictObject({ steps: z.array(stepSchema).min(1).max(100), caps: capsSchema })
  .superRefine((plan, ctx) => {
    plan.steps.forEach((step, i) => {
      if ('setWeight' in step && step.setWeight < 100 && step.setWeight > plan.caps.maxShareOfParentOrders) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'setWeight'], message: `exceeds caps.maxShareOfParentOrders (${plan.caps.maxShareOfParentOrders})` });
      }
    });
  });

export type RolloutPlan = z.infer<typeof rolloutPlanSchema>;
export type RolloutStep = RolloutPlan['steps'][number];

/** The default plan: 1% → 5% → 25% → 50% → 100%, each step held and analysed before the next; 25% waits for a human. */
export const DEFAULT_ROLLOUT_PLAN: RolloutPlan = {
  steps: [
    { setWeight: 1 },
    { pause: { durationSeconds: 900 } },
    { analysis: { templates: ['execution-quality'] } },
    { setWeight: 5 },
    { pause: { durationSeconds: 1800 } },
    { analysis: { templates: ['execution-quality'] } },
    { setWeight: 25 },
    { pause: {} },
    { analysis: { templates: ['execution-quality'] } },
    { setWeight: 50 },
    { pause: { durationSeconds: 3600 } },
    { analysis: { templates: ['execution-quality'] } },
    { setWeight: 100 },
  ],
  caps: { maxShareOfParentOrders: 50, maxNotionalPerOrder: 1_000_000, maxOrdersPerMinute: 60, allowedInstruments: ['*'] },
};

/** Checks a plan; VALIDATION_FAILED lists every offending field under `field` (e.g. `plan.steps[2].setWeight`). */
export function parseRolloutPlan(value: unknown, field = 'plan'): RolloutPlan {
  const parsed = rolloutPlanSchema.safeParse(value);
  if (!parsed.success) {
    throw new DomainError('VALIDATION_FAILED', 'invalid rollout plan', { errors: zodProblems(parsed.error, field) });
  }
  return parsed.data;
}

/** Hex sha256 of the plan's canonical JSON (keys sorted, no whitespace): what an approval binds. */
export function planHash(plan: RolloutPlan): string {
  return createHash('sha256').update(canonicalJson(plan)).digest('hex');
}
