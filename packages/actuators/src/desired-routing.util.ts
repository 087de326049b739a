import { DomainError, type FieldProblem } from '@airlock/core';
import type { DesiredRouting, ModelRef } from './rollout-actuator.port.js';

/** DNS-1123 label, short enough that `<deployment>-routing` / `-canary` stay within 63 characters. */
const DEPLOYMENT_NAME = /^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

function refProblems(ref: ModelRef | null, field: string): FieldProblem[] {
  if (ref === null) return [];
  const problems: FieldProblem[] = [];
  if (typeof ref.model !== 'string' || ref.model === '') problems.push({ field: `${field}.model`, message: 'required' });
  if (typeof ref.version !== 'string' || ref.version === '') problems.push({ field: `${field}.version`, message: 'required' });
  if (typeof ref.sha256 !== 'string' || !SHA256_HEX.test(ref.sha256)) {
    problems.push({ field: `${field}.sha256`, message: 'expected 64 lowercase hex characters' });
  }
  return problems;
}

/** Refuses a malformed desired state before anything is written, listing every problem. */
export function assertDesiredRouting(state: DesiredRouting): void {
  const problems: FieldProblem[] = [];
  if (typeof state.deployment !== 'string' || !DEPLOYMENT_NAME.test(state.deployment)) {
    problems.push({ field: 'deployment', message: 'expected a DNS-1123 label of at most 50 characters' });
  }
  problems.push(...refProblems(state.stable, 'stable'), ...refProblems(state.canary, 'canary'));
  if (typeof state.canaryWeight !== 'number' || !Number.isFinite(state.canaryWeight) || state.canaryWeight < 0 || state.canaryWeight > 100) {
    problems.push({ field: 'canaryWeight', message: 'expected a percent between 0 and 100' });
  }
  if (typeof state.halted !== 'boolean') problems.push({ field: 'halted', message: 'expected a boolean' });
  if (!Number.isSafeInteger(state.revision) || state.revision < 0) problems.push({ field: 'revision', message: 'expected a non-negative integer' });
  if (problems.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `invalid desired routing: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, { errors: problems });
  }
}

/** The routing table with exactly the port's fields (drops extras a caller's object may carry), keys in a fixed order. */
export function routingTable(state: DesiredRouting): DesiredRouting {
  const ref = (r: ModelRef | null): ModelRef | null => (r === null ? null : { model: r.model, version: r.version, sha256: r.sha256 });
  return {
    deployment: state.deployment,
    stable: ref(state.stable),
    canary: ref(state.canary),
    canaryWeight: state.canaryWeight,
    halted: state.halted,
    revision: state.revision,
  };
}

export const sameRouting = (a: DesiredRouting, b: DesiredRouting): boolean =>
  JSON.stringify(routingTable(a)) === JSON.stringify(routingTable(b));
