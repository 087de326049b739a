import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConstantPolicy, buildMlpPolicy, randomMlpPolicy } from '@airlock/onnx';
import { registrationForm, startTestApi, type TestApi } from '../testing/api-harness.js';

const FEATURES = ['spread_bps', 'imbalance_l1', 'time_remaining_frac', 'qty_remaining_frac', 'side'];
const ACTIONS = ['participation', 'aggression'];
const MANIFEST = { features: FEATURES, actions: ACTIONS, training: { dataset: 'synthetic-calm-seed-7', codeCommit: 'abc123', params: { lr: 0.01 }, metrics: { isBps: 3.2 } } };

const goodModel = (seed: number) => randomMlpPolicy({ seed, features: FEATURES, actions: ACTIONS, hidden: [8] }).bytes;

/** Every file under the artifact store's folder (the test's proof that nothing was stored). */
function storedFiles(dir: string): string[] {
  const walk = (d: string): string[] => {
    try {
      return readdirSync(d).flatMap((name) => (statSync(join(d, name)).isDirectory() ? walk(join(d, name)) : [join(d, name)]));
    } catch {
      return [];
    }
  };
  return walk(dir);
}

describe('model registry over HTTP (real PostgreSQL, file store, onnxruntime)', () => {
  let t: TestApi;
  let quant: string;

  beforeAll(async () => {
    t = await startTestApi({ AIRLOCK_MAX_ARTIFACT_BYTES: String(256 * 1024) });
    quant = await t.keyWith('quant');
    const created = await t.call('POST', '/v1/models', {
      key: quant,
      json: { name: 'exec-alpha', description: 'test', owner: 'desk-a', assetClass: 'equities', tier: 'high' },
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  const register = (bytes: Uint8Array, manifest: unknown = MANIFEST, model = 'exec-alpha', key = quant) =>
    t.call('POST', `/v1/models/${model}/versions`, { key, form: registrationForm(bytes, manifest) });

  /** A refusal must leave no version row and no stored bytes. */
  async function expectNothingStored(versionsBefore: number, filesBefore: number) {
    const versions = await t.call('GET', '/v1/models/exec-alpha/versions');
    expect(versions.body.items).toHaveLength(versionsBefore);
    expect(storedFiles(t.artifactDir)).toHaveLength(filesBefore);
  }

  it('registers a version with lineage, latency, sha256, and serves its verified bytes', async () => {
    const bytes = goodModel(1);
    const response = await register(bytes);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      model: 'exec-alpha',
      version: 1,
      sizeBytes: bytes.length,
      status: 'registered',
      features: FEATURES,
      actions: ACTIONS,
      training: MANIFEST.training,
    });
    expect(response.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(response.body.inspection.latency.singleRowP50Us).toBeGreaterThan(0);
    expect(response.body.inspection.latency.batch256P50Us).toBeGreaterThan(0);
    const download = await t.call('GET', '/v1/models/exec-alpha/versions/1/artifact', { key: quant });
    expect(download.status).toBe(200);
    expect(Buffer.from(download.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(download.headers.get('x-artifact-sha256')).toBe(response.body.sha256);
  });

  it('returns the existing version (200) when the same bytes are uploaded again', async () => {
    const again = await register(goodModel(1));
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(1);
  });

  it('gives one version to the same bytes uploaded twice at once', async () => {
    const bytes = goodModel(2);
    const [a, b] = await Promise.all([register(bytes), register(bytes)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.version).toBe(b.body.version);
  });

  it('numbers concurrent uploads of different bytes without gaps or duplicates', async () => {
    const before = (await t.call('GET', '/v1/models/exec-alpha/versions')).body.items.length as number;
    const responses = await Promise.all([10, 11, 12, 13, 14, 15].map((seed) => register(goodModel(seed))));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const numbers = responses.map((r) => r.body.version as number).sort((x, y) => x - y);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6].map((i) => before + i));
  });

  describe('refuses bad uploads with a coded 422 and stores nothing', () => {
    const cases: [string, () => Uint8Array, unknown, number, string][] = [
      ['non-ONNX bytes', () => new TextEncoder().encode('{"not": "a model"}'), MANIFEST, 422, 'ARTIFACT_NOT_ONNX'],
      ['a truncated ONNX file', () => goodModel(3).slice(0, 150), MANIFEST, 422, 'ARTIFACT_NOT_ONNX'],
      ['an input narrower than the manifest', () => goodModel(3), { ...MANIFEST, features: [...FEATURES, 'imbalance_l5'] }, 422, 'ARTIFACT_SHAPE_MISMATCH'],
      [
        'an output wider than the manifest',
        () => randomMlpPolicy({ seed: 4, features: FEATURES, actions: ['participation', 'aggression', 'participation'], hidden: [], }, { nameMetadata: false }).bytes,
        MANIFEST,
        422,
        'ARTIFACT_SHAPE_MISMATCH',
      ],
      ['an unknown feature name', () => goodModel(3), { ...MANIFEST, features: ['spread_bps', 'alpha_secret', 'time_remaining_frac', 'qty_remaining_frac', 'side'] }, 422, 'MANIFEST_UNKNOWN_FEATURE'],
      ['an unknown action name', () => goodModel(3), { ...MANIFEST, actions: ['participation', 'size'] }, 422, 'MANIFEST_UNKNOWN_ACTION'],
      ['NaN outputs', () => buildConstantPolicy({ features: FEATURES, actions: ACTIONS, values: [Number.NaN, 0.5] }), MANIFEST, 422, 'ARTIFACT_OUTPUT_NOT_FINITE'],
      ['out-of-bound outputs', () => buildConstantPolicy({ features: FEATURES, actions: ACTIONS, values: [1.5, 0.5] }), MANIFEST, 422, 'ARTIFACT_OUTPUT_OUT_OF_BOUNDS'],
      ['a manifest that is not JSON', () => goodModel(3), '{"features": [', 422, 'MANIFEST_INVALID'],
      ['a manifest without actions', () => goodModel(3), { features: FEATURES }, 422, 'MANIFEST_INVALID'],
    ];
    it.each(cases)('%s', async (_name, bytes, manifest, status, code) => {
      const versionsBefore = (await t.call('GET', '/v1/models/exec-alpha/versions')).body.items.length as number;
      const filesBefore = storedFiles(t.artifactDir).length;
      const response = await register(bytes(), manifest);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status, code });
      expect(typeof response.body.detail).toBe('string');
      await expectNothingStored(versionsBefore, filesBefore);
    });

    it('lists every offending manifest field', async () => {
      const response = await register(goodModel(3), { features: ['side', 'nope', 'bad'], actions: ['participation'] });
      expect(response.body.errors).toEqual([
        { field: 'manifest.features[1]', message: 'unknown feature "nope"' },
        { field: 'manifest.features[2]', message: 'unknown feature "bad"' },
      ]);
    });

    it('an upload over the size limit → 413 and nothing stored', async () => {
      const versionsBefore = (await t.call('GET', '/v1/models/exec-alpha/versions')).body.items.length as number;
      const filesBefore = storedFiles(t.artifactDir).length;
      const big = buildMlpPolicy({
        features: FEATURES,
        actions: ACTIONS,
        activation: 'relu',
        output: 'sigmoid',
        layers: [
          { weights: Array.from({ length: 20_000 }, () => FEATURES.map(() => 0.001)), bias: new Array(20_000).fill(0) },
          { weights: ACTIONS.map(() => new Array(20_000).fill(0.0001)), bias: [0, 0] },
        ],
      });
      expect(big.length).toBeGreaterThan(256 * 1024);
      const response = await register(big);
      expect(response.status).toBe(413);
      expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
      await expectNothingStored(versionsBefore, filesBefore);
      expect(readdirSync(join(t.dataDir, 'uploads'))).toEqual([]); // the spool file is gone too
    });
  });

  describe('names, keys and roles', () => {
    it.each([
      ['path traversal', '../../etc'],
      ['a slash', 'a/b'],
      ['unicode', 'modèle-ü'],
      ['upper case', 'Exec'],
      ['a single character', 'a'],
    ])('refuses a model name with %s', async (_label, name) => {
      const response = await t.call('POST', '/v1/models', { key: quant, json: { name, owner: 'o', assetClass: 'eq', tier: 'low' } });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual([{ field: 'name', message: expect.stringContaining('must match') }]);
    });

    it('lists every invalid field of a model at once', async () => {
      const response = await t.call('POST', '/v1/models', { key: quant, json: { name: 'ok-name', tier: 'extreme' } });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['assetClass', 'owner', 'tier']);
    });

    it('refuses a duplicate model name with 409', async () => {
      const response = await t.call('POST', '/v1/models', { key: quant, json: { name: 'exec-alpha', owner: 'o', assetClass: 'eq', tier: 'low' } });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('CONFLICT');
    });

    it('answers 404 for encoded traversal in a path', async () => {
      const response = await t.call('GET', '/v1/models/..%2F..%2Fetc%2Fpasswd', { key: quant });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
    });

    it('401 without a key and with a wrong key', async () => {
      const none = await t.call('GET', '/v1/models', { key: null });
      const wrong = await t.call('GET', '/v1/models', { key: 'ak_wrong-key-that-does-not-exist' });
      expect([none.status, wrong.status]).toEqual([401, 401]);
      expect([none.body.code, wrong.body.code]).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    });

    it('403 for a role that may not act', async () => {
      const auditor = await t.keyWith('auditor');
      const risk = await t.keyWith('risk');
      const registerAsAuditor = await register(goodModel(30), MANIFEST, 'exec-alpha', auditor);
      const createAsRisk = await t.call('POST', '/v1/models', { key: risk, json: { name: 'risky', owner: 'o', assetClass: 'eq', tier: 'low' } });
      const keysAsQuant = await t.call('POST', '/v1/api-keys', { key: quant, json: { name: 'x', roles: ['admin'] } });
      const auditAsQuant = await t.call('GET', '/v1/audit', { key: quant });
      for (const response of [registerAsAuditor, createAsRisk, keysAsQuant, auditAsQuant]) {
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('FORBIDDEN');
      }
      const readAsAuditor = await t.call('GET', '/v1/models/exec-alpha', { key: auditor });
      expect(readAsAuditor.status).toBe(200);
    });

    it('refuses an API key with an unknown role, listing it', async () => {
      const response = await t.call('POST', '/v1/api-keys', { json: { name: 'x', roles: ['quant', 'superuser'] } });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([{ field: 'roles[1]', message: expect.stringContaining('unknown role "superuser"') }]);
    });
  });

  describe('aliases', () => {
    it('sets an ordinary alias and refuses to move champion by hand', async () => {
      const staging = await t.call('PUT', '/v1/models/exec-alpha/aliases/staging', { key: quant, json: { version: 1 } });
      expect(staging.status).toBe(200);
      expect(staging.body).toMatchObject({ alias: 'staging', version: 1 });
      const champion = await t.call('PUT', '/v1/models/exec-alpha/aliases/champion', { key: quant, json: { version: 1 } });
      expect(champion.status).toBe(409);
      expect(champion.body.code).toBe('ALIAS_PROTECTED');
      const model = await t.call('GET', '/v1/models/exec-alpha', { key: quant });
      expect(model.body.aliases.map((a: { alias: string }) => a.alias)).toEqual(['staging']);
    });
    it('404 for an alias to a missing version', async () => {
      const response = await t.call('PUT', '/v1/models/exec-alpha/aliases/staging', { key: quant, json: { version: 999 } });
      expect(response.status).toBe(404);
    });
  });

  describe('idempotency', () => {
    it('replays the first response for the same key and request, refuses the key for another request', async () => {
      const body = { name: 'idem-model', owner: 'o', assetClass: 'eq', tier: 'low' };
      const headers = { 'idempotency-key': 'create-idem-model-1' };
      const first = await t.call('POST', '/v1/models', { key: quant, json: body, headers });
      const second = await t.call('POST', '/v1/models', { key: quant, json: body, headers });
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      const other = await t.call('POST', '/v1/models', { key: quant, json: { ...body, name: 'idem-other' }, headers });
      expect(other.status).toBe(422);
      expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const events = await t.call('GET', '/v1/audit?subject=model:idem-model');
      expect(events.body.items.filter((e: { action: string }) => e.action === 'model.created')).toHaveLength(1);
    });
    it('never stores a created API key’s secret: a repeated request creates another key', async () => {
      const headers = { 'idempotency-key': 'make-key-1' };
      const first = await t.call('POST', '/v1/api-keys', { json: { name: 'k', roles: ['quant'] }, headers });
      const second = await t.call('POST', '/v1/api-keys', { json: { name: 'k', roles: ['quant'] }, headers });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.id).not.toBe(first.body.id);
      const stored = (await t.api.db.dataSource.query(`SELECT count(*)::int AS n FROM idempotency_records WHERE key = 'make-key-1'`)) as [{ n: number }];
      expect(stored[0].n).toBe(0);
    });

    it('frees the key after a failed request so the client may retry', async () => {
      const headers = { 'idempotency-key': 'retry-me' };
      const failed = await t.call('POST', '/v1/models', { key: quant, json: { name: 'BAD' }, headers });
      expect(failed.status).toBe(400);
      const retried = await t.call('POST', '/v1/models', { key: quant, json: { name: 'fixed-name', owner: 'o', assetClass: 'eq', tier: 'low' }, headers });
      expect(retried.status).toBe(201);
    });
  });

  describe('integrity and audit', () => {
    it('answers 500 ARTIFACT_INTEGRITY when stored bytes were altered behind the store’s back', async () => {
      const registered = await register(goodModel(40));
      const file = storedFiles(t.artifactDir).find((f) => f.endsWith(registered.body.sha256));
      expect(file).toBeDefined();
      writeFileSync(file!, Buffer.from('tampered'));
      const download = await t.call('GET', `/v1/models/exec-alpha/versions/${registered.body.version}/artifact`, { key: quant });
      expect(download.status).toBe(500);
      expect(download.body.code).toBe('ARTIFACT_INTEGRITY');
    });

    it('records every mutation in a chain that verifies, and exports it as JSON lines', async () => {
      const events = await t.call('GET', '/v1/audit?subject=model:exec-alpha&limit=500');
      const actions = events.body.items.map((e: { action: string }) => e.action);
      expect(actions[0]).toBe('model.created');
      expect(actions).toContain('version.registered');
      expect(actions).toContain('alias.set');
      const verify = await t.call('GET', '/v1/audit/verify');
      expect(verify.body).toMatchObject({ ok: true });
      expect(verify.body.events).toBeGreaterThan(10);
      const jsonl = await t.call('GET', '/v1/audit?format=jsonl');
      const lines = String(jsonl.body).trim().split('\n').map((line) => JSON.parse(line));
      expect(lines).toHaveLength(verify.body.events);
      expect(lines[0]).toMatchObject({ seq: 1, action: 'api-key.bootstrapped' });
    });
  });
});
