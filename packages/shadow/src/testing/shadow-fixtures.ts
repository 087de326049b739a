import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchPolicy, RoutingTable, VersionRef } from '@airlock/core';
import { createLiveFlowConsumer, createLiveFlowPublisher, type LiveFlowPublisher } from '@airlock/live-flow';
import { buildMlpPolicy, OnnxPolicy } from '@airlock/onnx';
import { generateSyntheticDay, type MarketDay } from '@airlock/sim';
import { createHash } from 'node:crypto';
import { runLiveSim } from '../live-sim/live-sim.js';
import type { LiveSimSkew, LiveSimSummary } from '../live-sim/live-sim.types.js';
import type { LoadedVersion, VersionResolver } from '../runner/shadow-scorer.js';

/** Test models (real ONNX, built by @airlock/onnx's builder) on four catalog features. */
export const TEST_FEATURES = ['time_remaining_frac', 'qty_remaining_frac', 'schedule_deviation', 'spread_ticks'];
export const TEST_ACTIONS = ['participation', 'aggression'];
const MANIFEST = { features: TEST_FEATURES, actions: TEST_ACTIONS };

/** participation = σ(−8·schedule_deviation − 2): rests passively, catches up when behind. */
export const LIVE_MODEL = buildMlpPolicy({ ...MANIFEST, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -8, 0], [-6, 0, -10, 0]], bias: [-2, 1] }] });
/** A different, more aggressive policy. */
export const OTHER_MODEL = buildMlpPolicy({ ...MANIFEST, activation: 'relu', output: 'sigmoid', layers: [{ weights: [[0, 0, -6, 0], [-8, 0, -6, 0]], bias: [-1, 0.5] }] });

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A resolver over fixed versions (model, version → bytes), loading real ONNX sessions. */
export function fixedVersions(versions: Record<string, Uint8Array>): VersionResolver & { policies: Map<string, LoadedVersion>; close(): Promise<void> } {
  const policies = new Map<string, LoadedVersion>();
  const resolve = async (model: string, version: number): Promise<LoadedVersion | null> => {
    const key = `${model}@${version}`;
    const bytes = versions[key];
    if (!bytes) return null;
    let hit = policies.get(key);
    if (!hit) {
      hit = { subject: { model, version, sha256: sha256Of(bytes) }, policy: await OnnxPolicy.load(bytes, MANIFEST, key) };
      policies.set(key, hit);
    }
    return hit;
  };
  return Object.assign(resolve, {
    policies,
    async close() {
      for (const p of policies.values()) await (p.policy as OnnxPolicy).dispose();
    },
  });
}

export const testDay = (events = 30_000, seed = 11): MarketDay => generateSyntheticDay({ seed, regime: 'calm', events, levels: 10 });

export interface SimulatedFlow {
  readonly uri: string;
  readonly dir: string;
  readonly summary: LiveSimSummary;
  cleanup(): Promise<void>;
}

/** Runs the live-flow simulator with `stable` (and optionally a canary) into a fresh file stream. */
export async function simulateFlow(options: {
  day: MarketDay;
  stable: VersionRef;
  canary?: VersionRef;
  canaryWeight?: number;
  versions: Record<string, Uint8Array>;
  orders?: number;
  skew?: LiveSimSkew;
  uri?: string;
  publisher?: LiveFlowPublisher;
}): Promise<SimulatedFlow> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-flow-'));
  const uri = options.uri ?? `file://${dir}`;
  const publisher = options.publisher ?? (await createLiveFlowPublisher(uri));
  const table: RoutingTable = { stable: options.stable, canary: options.canary ?? null, canaryWeight: options.canaryWeight ?? 0, revision: 1, halted: false };
  const loaded: BatchPolicy[] = [];
  try {
    const summary = await runLiveSim({
      day: options.day,
      orderCount: options.orders ?? 60,
      seed: 3,
      routing: async () => table,
      policyFor: async (ref) => {
        const bytes = options.versions[`${ref.model}@${ref.version}`];
        if (!bytes) throw new Error(`no bytes for ${ref.model}@${ref.version}`);
        const policy = await OnnxPolicy.load(bytes, MANIFEST, `${ref.model}@${ref.version}`);
        loaded.push(policy);
        return policy;
      },
      publisher,
      deployment: 'desk',
      ...(options.skew ? { skew: options.skew } : {}),
    });
    return { uri, dir, summary, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } finally {
    if (!options.publisher) await publisher.close();
    for (const p of loaded) await (p as OnnxPolicy).dispose();
  }
}

/** Every stored delivery of a stream, in order (decoded), via a throwaway durable consumer. */
export async function readFlow(uri: string, durable = 'reader'): Promise<{ position: number; decoded: import('@airlock/live-flow').DecodeResult }[]> {
  const consumer = await createLiveFlowConsumer(uri, { durable });
  const out: { position: number; decoded: import('@airlock/live-flow').DecodeResult }[] = [];
  try {
    await consumer.consume((d) => {
      out.push({ position: d.position, decoded: d.decoded });
    }, { follow: false });
  } finally {
    await consumer.close();
  }
  return out;
}
