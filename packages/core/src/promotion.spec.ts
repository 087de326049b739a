import { describe, expect, it } from '@jest/globals';
import { approvedUntil, countingApprovals, viewOf, type Approval, type Promotion } from './promotion.js';
import { DEFAULT_ROLLOUT_PLAN } from './rollout-plan.js';

const HOUR = 3600_000;
const T0 = new Date('2026-01-05T09:00:00Z');
const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
const vote = (approver: string, hours: number, decision: Approval['decision'] = 'approve'): Approval => ({
  id: `${approver}-${hours}`,
  approver,
  decision,
  comment: '',
  sha256: 'a'.repeat(64),
  planHash: 'b'.repeat(64),
  at: at(hours),
});
const promotion = (approvals: Approval[], phase: Promotion['phase'] = 'PendingApproval', decidedAt: Date | null = null): Promotion => ({
  id: 'p',
  modelId: 'm',
  versionId: 'v',
  target: { model: 'x', version: 1, sha256: 'a'.repeat(64) },
  tier: 'high',
  deployment: 'equities-us',
  plan: DEFAULT_ROLLOUT_PLAN,
  planHash: 'b'.repeat(64),
  phase,
  requiredApprovals: 2,
  override: null,
  requestedBy: 'key:q',
  requestedAt: T0,
  decidedAt,
  approvals,
});

describe('approval counting and expiry', () => {
  it('counts approve votes younger than the TTL, once per approver, never rejections', () => {
    const p = promotion([vote('key:a', 1), vote('key:a', 2), vote('key:b', 3, 'reject'), vote('key:c', 4)]);
    expect(countingApprovals(p, at(5), 24 * HOUR).map((a) => a.approver)).toEqual(['key:a', 'key:c']);
    expect(countingApprovals(p, at(26.5), 24 * HOUR).map((a) => a.approver)).toEqual(['key:c']);
  });

  it('reads a pending request as Expired once its window has closed; decided ones keep their phase', () => {
    expect(viewOf(promotion([]), at(23.9), 24 * HOUR)).toBe('PendingApproval');
    expect(viewOf(promotion([]), at(24), 24 * HOUR)).toBe('Expired');
    expect(viewOf(promotion([], 'Rejected', at(1)), at(48), 24 * HOUR)).toBe('Rejected');
  });

  it('an approved promotion may be started until its oldest counted vote expires', () => {
    const p = promotion([vote('key:a', 2), vote('key:b', 5)], 'Approved', at(5));
    expect(approvedUntil(p, 24 * HOUR)).toEqual(at(26));
    expect(approvedUntil(promotion([]), 24 * HOUR)).toBeNull();
  });
});
