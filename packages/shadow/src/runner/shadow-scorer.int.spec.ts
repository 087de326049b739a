import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLiveFlowPublisher, type LiveEvent } from '@airlock/live-flow';
import type { BatchPolicy } from '@airlock/core';
import { liveExecutionConfig } from '../live-execution.js';
import { DEFAULT_SHADOW_POLICY, type ShadowCheckpoint, type ShadowCounters } from '../shadow.types.js';
import { fixedVersions, LIVE_MODEL, OTHER_MODEL, readFlow, sha256Of, simulateFlow, testDay, type SimulatedFlow } from '../testing/shadow-fixtures.js';
import { ShadowScorer, type ScoredSession } from './shadow-scorer.js';

// Real onnxruntime, a real file stream written by the live-flow simulator, the scorer fed every stored event.

const versions = { 'exec@1': LIVE_MODEL, 'exec@2': LIVE_MODEL, 'exec@3': OTHER_MODEL };
const stable = { model: 'exec', version: 1, sha256: sha256Of(LIVE_MODEL) };
const day = testDay();

async function score(
  flow: SimulatedFlow,
  candidates: string[],
  extra: LiveEvent[] = [],
  raw: string[] = [],
  doubles: { subject: { model: string; version: number; sha256: string }; policy: BatchPolicy }[] = [],
): Promise<{ checkpoint: ShadowCheckpoint; scorer: ShadowScorer }> {
  if (extra.length > 0) {
    const publisher = await createLiveFlowPublisher(flow.uri);
    await publisher.publish(extra);
    await publisher.close();
  }
  for (const line of raw) await appendFile(join(flow.dir, 'live.jsonl'), `${line}\n`);
  const resolver = fixedVersions(versions);
  const scorer = new ShadowScorer({ durable: 't', execution: liveExecutionConfig(), windowNs: 60e9, maxBatchRows: 64, examplesPerKind: 5, clockNs: () => Number(process.hrtime.bigint()), scoreIntervalMs: 10_000, maxPendingScores: 1000 }, resolver, 0);
  const loaded = [...(await Promise.all(candidates.map(async (k) => (await resolver(k.split('@')[0]!, Number(k.split('@')[1])))!))), ...doubles];
  const session: ScoredSession = { id: 's1', deployment: 'desk', policy: DEFAULT_SHADOW_POLICY, candidates: loaded, instruments: null, firstPosition: 1 };
  scorer.setSessions([session]);
  for (const d of await readFlow(flow.uri, `r${candidates.length}${extra.length}`)) {
    if (d.decoded.ok) await scorer.handle(d.position, d.decoded.event);
    else scorer.malformed(d.position, d.decoded.reason, d.decoded.id ?? null);
  }
  const checkpoint = await scorer.checkpoint({ scoreAll: true });
  await resolver.close();
  return { checkpoint, scorer };
}

const totals = (cp: ShadowCheckpoint, role: 'candidate' | 'live', key: string): ShadowCounters => cp.sessions[0]!.totals[role === 'candidate' ? 'candidates' : 'live'][key]!;

describe('ShadowScorer on a simulated live flow', () => {
  let flow: SimulatedFlow;
  beforeAll(async () => {
    flow = await simulateFlow({ day, stable, versions, orders: 60 });
  }, 60_000);
  afterAll(() => flow.cleanup());

  it('scores a candidate identical to the live model with zero divergence and the same IS on every order', async () => {
    const { checkpoint } = await score(flow, ['exec@2', 'exec@3']);
    const same = totals(checkpoint, 'candidate', 'exec@2');
    const other = totals(checkpoint, 'candidate', 'exec@3');
    const live = totals(checkpoint, 'live', 'exec@1');
    expect(same.decisions).toBeGreaterThan(100);
    expect(same.decisions).toBe(live.decisions);
    expect(same.divergentDecisions).toBe(0);
    expect(same.invalidOutputs).toBe(0);
    expect(same.orders).toBeGreaterThan(30);
    const mine = checkpoint.orderResults.filter((r) => r.version === 2);
    expect(mine).toHaveLength(same.orders);
    for (const r of mine) {
      expect(r.candidateIsBps).toBe(r.liveIsBps);
      expect(r.candidateFilled).toBe(r.liveFilled);
    }
    expect(same.sumIsDeltaBps).toBe(0);
    // The other model decides differently and, on the same orders, costs differently.
    expect(other.divergentDecisions).toBeGreaterThan(0);
    expect(other.sumAbsParticipationDelta).toBeGreaterThan(0);
    expect(checkpoint.orderResults.filter((r) => r.version === 3 && r.candidateIsBps !== r.liveIsBps).length).toBeGreaterThan(0);
    // No skew on a faithful flow, inference was timed, and per-version live metrics were published.
    expect(live.skewFindings).toBe(0);
    expect(same.batches).toBeGreaterThan(0);
    expect(same.latencyHistogram.reduce((a, b) => a + b, 0)).toBe(same.batches);
    const liveWindows = checkpoint.liveWindows.filter((w) => w.deployment === 'desk' && w.version === 1);
    expect(liveWindows.reduce((s, w) => s + w.counters.decisions, 0)).toBe(live.decisions);
    expect(liveWindows.reduce((s, w) => s + w.counters.ordersDone, 0)).toBe(flow.summary.orders.total);
    expect(checkpoint.findings).toEqual([]);
  }, 60_000);

  it('reports a deliberately skewed feature as feature and decision skew, with examples', async () => {
    const skewed = await simulateFlow({ day, stable, versions, orders: 20, skew: { feature: 'schedule_deviation', add: 0.25 } });
    try {
      const { checkpoint } = await score(skewed, ['exec@2']);
      const live = totals(checkpoint, 'live', 'exec@1');
      expect(live.skewFindings).toBeGreaterThan(0);
      const feature = checkpoint.findings.find((f) => f.kind === 'feature-skew');
      expect(feature?.reason).toContain('schedule_deviation');
      const example = feature!.example as { features: { feature: string; published: number; recomputed: number }[] };
      expect(example.features[0]!.feature).toBe('schedule_deviation');
      expect(example.features[0]!.published - example.features[0]!.recomputed).toBeCloseTo(0.25, 5);
      expect(checkpoint.findings.some((f) => f.kind === 'decision-skew')).toBe(true);
      // Every skewed decision here was skewed by its features; its actions differed on some of them.
      expect(checkpoint.sessions[0]!.totals.findings['feature-skew']).toBe(live.skewFindings);
      expect(checkpoint.sessions[0]!.totals.findings['decision-skew']).toBeLessThanOrEqual(live.skewFindings);
    } finally {
      await skewed.cleanup();
    }
  }, 60_000);

  it('records bad input with its reason and goes on counting', async () => {
    const local = await simulateFlow({ day, stable, versions, orders: 10 });
    try {
      const events = await readFlow(local.uri, 'peek');
      const first = events.find((e) => e.decoded.ok && e.decoded.event.type === 'decision')!;
      const decision = first.decoded.ok ? first.decoded.event : null;
      const lastBook = [...events].reverse().find((e) => e.decoded.ok && e.decoded.event.type === 'book')!;
      const book = lastBook.decoded.ok ? lastBook.decoded.event : null;
      if (decision?.type !== 'decision' || book?.type !== 'book') throw new Error('fixture flow has no decision or book');
      const bad: LiveEvent[] = [
        { ...book, id: 'late-book', seq: book.seq + 1, tsNs: 1 }, // out of order
        { ...book, id: 'elsewhere', instrument: 'NOPE', seq: 1 }, // an instrument with a book but...
        { v: 1, type: 'order.new', id: 'o-unknown-instr', instrument: 'ZZZ', session: book.session, tsNs: book.tsNs, seq: 1, orderId: 'zz1', side: 'buy', quantity: 100, startNs: book.tsNs, endNs: book.tsNs + 60e9, urgency: 0.5, tickSize: 0.01 },
        { ...decision, id: 'unknown-version', version: '99', seq: 10_000_000 },
        { ...decision, id: 'dup-seq' }, // a repeated sequence number: a duplicate delivery
      ];
      const before = await score(local, ['exec@2']);
      const after = await score(local, ['exec@2'], bad, ['{"v":1,"type":"book",', '[1,2,3]']);
      const kinds = new Set(after.checkpoint.findings.map((f) => f.kind));
      for (const kind of ['malformed', 'out-of-order', 'unknown-instrument', 'unknown-version', 'duplicate']) expect(kinds).toContain(kind);
      expect(after.checkpoint.sessions[0]!.totals.findings.malformed).toBe(2);
      expect(after.checkpoint.findings.find((f) => f.kind === 'malformed')!.reason).toContain('not JSON');
      expect(after.checkpoint.findings.find((f) => f.kind === 'unknown-version')!.reason).toContain('exec@99');
      // The session went on: the same candidate evidence as without the bad events.
      expect(totals(after.checkpoint, 'candidate', 'exec@2').orders).toBe(totals(before.checkpoint, 'candidate', 'exec@2').orders);
      expect(totals(after.checkpoint, 'candidate', 'exec@2').sumIsDeltaBps).toBe(0);
    } finally {
      await local.cleanup();
    }
  }, 60_000);

  it('counts a candidate that returns NaN or throws as invalid output, and scores the others on', async () => {
    const nanPolicy: BatchPolicy = {
      name: 'nan',
      features: ['spread_ticks'],
      actions: ['participation', 'aggression'],
      decide: async (_input, rows) => Float32Array.from({ length: rows * 2 }, (_, i) => (i % 4 === 0 ? Number.NaN : 0.5)),
    };
    const throwing: BatchPolicy = {
      name: 'throws',
      features: ['spread_ticks'],
      actions: ['participation', 'aggression'],
      decide: async () => {
        throw new Error('model exploded');
      },
    };
    const { checkpoint } = await score(flow, ['exec@2'], [], [], [
      { subject: { model: 'bad', version: 1, sha256: 'e'.repeat(64) }, policy: nanPolicy },
      { subject: { model: 'bad', version: 2, sha256: 'f'.repeat(64) }, policy: throwing },
    ]);
    const nan = totals(checkpoint, 'candidate', 'bad@1');
    const thrown = totals(checkpoint, 'candidate', 'bad@2');
    const good = totals(checkpoint, 'candidate', 'exec@2');
    expect(nan.invalidOutputs).toBeGreaterThan(0);
    expect(nan.invalidOutputs).toBeLessThan(nan.decisions);
    expect(thrown.invalidOutputs).toBe(thrown.decisions);
    expect(thrown.orders).toBe(0);
    expect(checkpoint.findings.find((f) => f.kind === 'candidate-error')!.reason).toContain('model exploded');
    expect(checkpoint.findings.find((f) => f.kind === 'invalid-output')!.reason).toContain('participation=NaN');
    expect(good.orders).toBeGreaterThan(30);
    expect(good.sumIsDeltaBps).toBe(0);
  }, 60_000);
});
