import { describe, expect, it } from '@jest/globals';
import { canonicalJson, GENESIS_HASH, hashAuditEvent, verifyAuditChain, type AuditEvent } from './audit-chain.js';

function chain(n: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content = { seq, at: `2026-01-01T00:00:0${seq}.000Z`, actor: 'key:a', action: 'x.done', subject: `s:${seq}`, data: { n: seq } };
    const hash = hashAuditEvent(content, prevHash);
    events.push({ ...content, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 'q' }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":"q","z":1}]},"b":1}',
    );
  });
  it('refuses non-finite numbers instead of writing null', () => {
    expect(() => canonicalJson({ v: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain', () => {
    expect(verifyAuditChain(chain(5))).toMatchObject({ ok: true, events: 5 });
  });
  it('finds a modified event by its recomputed hash', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, data: { n: 999 } };
    expect(verifyAuditChain(events)).toMatchObject({ ok: false, brokenAt: 3, reason: 'hash-mismatch' });
  });
  it('finds a deleted event by the gap in seq', () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(verifyAuditChain(events)).toMatchObject({ ok: false, brokenAt: 3, reason: 'seq-gap' });
  });
  it('finds reordered events', () => {
    const events = chain(5);
    [events[1], events[2]] = [events[2]!, events[1]!];
    expect(verifyAuditChain(events)).toMatchObject({ ok: false, brokenAt: 3, reason: 'seq-gap' });
  });
  it('finds a rewritten tail whose hashes were recomputed but whose link to the past was not', () => {
    const events = chain(4);
    const forged = { ...events[3]!, prevHash: 'f'.repeat(64) };
    events[3] = { ...forged, hash: hashAuditEvent(forged, forged.prevHash) };
    expect(verifyAuditChain(events)).toMatchObject({ ok: false, brokenAt: 4, reason: 'prev-hash-mismatch' });
  });
});
