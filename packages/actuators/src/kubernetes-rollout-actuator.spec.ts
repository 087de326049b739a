import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { isActuatorError } from './actuator.errors.js';
import { FakeKubeApi } from './kube-api.testkit.js';
import { KubernetesRolloutActuator } from './kubernetes-rollout-actuator.adapter.js';
import { describeRolloutActuatorContract, routing, SHA_A, SHA_B } from './rollout-actuator.contract.js';
import { createRolloutActuator } from './rollout-actuator.factory.js';

const NS = 'trading';
const IMAGE = 'ghcr.io/acme/airlock-engine:1.4.2';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reading JSON the fake server stored

describeRolloutActuatorContract('kubernetes', async () => {
  const api = await new FakeKubeApi().start();
  const actuator = new KubernetesRolloutActuator({ kubeConfig: api.kubeConfig(), namespace: NS, image: IMAGE, totalReplicas: 10 });
  return { actuator, dispose: () => api.stop() };
});

describe('KubernetesRolloutActuator', () => {
  let api: FakeKubeApi;
  let actuator: KubernetesRolloutActuator;

  beforeEach(async () => {
    api = await new FakeKubeApi().start();
    actuator = new KubernetesRolloutActuator({ kubeConfig: api.kubeConfig(), namespace: NS, image: IMAGE, totalReplicas: 10 });
  });
  afterEach(async () => {
    await api.stop();
  });

  const deployment = (track: 'stable' | 'canary') => api.get('deployments', NS, `eurusd-exec-${track}`) as Json | undefined;
  const envOf = (d: Json | undefined) => Object.fromEntries((d?.spec.template.spec.containers[0].env as { name: string; value: string }[]).map((e) => [e.name, e.value]));

  it('creates both Deployments and the routing ConfigMap on first apply', async () => {
    const applied = await actuator.apply(routing());
    expect(applied.writes).toEqual(['create ConfigMap eurusd-exec-routing', 'create Deployment eurusd-exec-stable', 'create Deployment eurusd-exec-canary']);
    expect(api.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/v1/namespaces/${NS}/configmaps`,
      `POST /apis/apps/v1/namespaces/${NS}/deployments`,
      `POST /apis/apps/v1/namespaces/${NS}/deployments`,
    ]);

    const stable = deployment('stable');
    const canary = deployment('canary');
    expect(stable?.spec.replicas).toBe(8);
    expect(canary?.spec.replicas).toBe(3);
    expect(stable?.metadata.labels).toMatchObject({ 'airlock.dev/deployment': 'eurusd-exec', 'airlock.dev/track': 'stable' });
    expect(canary?.spec.selector.matchLabels).toEqual({ 'airlock.dev/deployment': 'eurusd-exec', 'airlock.dev/track': 'canary' });
    expect(canary?.spec.template.metadata.labels).toMatchObject({ 'airlock.dev/deployment': 'eurusd-exec', 'airlock.dev/track': 'canary' });
    expect(stable?.spec.template.spec.containers[0].image).toBe(IMAGE);
    expect(envOf(stable)).toMatchObject({ AIRLOCK_MODEL: 'exec-model', AIRLOCK_MODEL_VERSION: '1.0.0', AIRLOCK_MODEL_SHA256: SHA_A });
    expect(envOf(canary)).toMatchObject({ AIRLOCK_MODEL: 'exec-model', AIRLOCK_MODEL_VERSION: '1.1.0', AIRLOCK_MODEL_SHA256: SHA_B });
    expect(stable?.spec.template.metadata.annotations).toEqual({ 'airlock.dev/model-sha256': SHA_A, 'airlock.dev/model': 'exec-model@1.0.0' });
    expect(canary?.spec.template.metadata.annotations['airlock.dev/model-sha256']).toBe(SHA_B);

    const configMap = api.get('configmaps', NS, 'eurusd-exec-routing') as Json;
    expect(JSON.parse(configMap.data['routing.json'])).toEqual(routing());
    expect(configMap.metadata.annotations['airlock.dev/routing-revision']).toBe('3');
  });

  it('on a weight change patches only the replica counts and the table, with merge patches', async () => {
    await actuator.apply(routing());
    api.clearRequests();
    const applied = await actuator.apply(routing({ canaryWeight: 50, revision: 4 }));
    expect(applied.writes).toEqual(['patch ConfigMap eurusd-exec-routing', 'patch Deployment eurusd-exec-stable', 'patch Deployment eurusd-exec-canary']);
    const writes = api.writes();
    expect(writes.every((w) => w.method === 'PATCH' && w.contentType === 'application/merge-patch+json')).toBe(true);
    expect(writes.slice(1).map((w) => w.body)).toEqual([{ spec: { replicas: 5 } }, { spec: { replicas: 5 } }]);
    expect(writes[0]?.body).toMatchObject({ data: { 'routing.json': JSON.stringify(routing({ canaryWeight: 50, revision: 4 })) } });
    expect([deployment('stable')?.spec.replicas, deployment('canary')?.spec.replicas]).toEqual([5, 5]);
  });

  it('sends no write for an object that did not change', async () => {
    await actuator.apply(routing({ canaryWeight: 1 })); // 10 stable / 1 canary
    api.clearRequests();
    // 2% still rounds to 10 / 1: only the table moves.
    const applied = await actuator.apply(routing({ canaryWeight: 2, revision: 4 }));
    expect(applied.writes).toEqual(['patch ConfigMap eurusd-exec-routing']);
    expect(api.writes().map((w) => w.path)).toEqual([`/api/v1/namespaces/${NS}/configmaps/eurusd-exec-routing`]);
  });

  it('applying the same state twice sends no write the second time (server defaults do not count as drift)', async () => {
    await actuator.apply(routing());
    expect(deployment('stable')?.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    api.clearRequests();
    const again = await actuator.apply(routing());
    expect(again.changed).toBe(false);
    expect(api.writes()).toEqual([]);
    expect(api.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('rolls the canary to a new model by patching its pod template', async () => {
    await actuator.apply(routing());
    api.clearRequests();
    const sha = 'c'.repeat(64);
    await actuator.apply(routing({ canary: { model: 'exec-model', version: '1.2.0', sha256: sha }, revision: 4 }));
    const canaryPatch = api.writes().find((w) => w.path.endsWith('/deployments/eurusd-exec-canary'));
    expect(canaryPatch?.body).toMatchObject({ spec: { template: { metadata: { annotations: { 'airlock.dev/model-sha256': sha } } } } });
    expect((canaryPatch?.body as Json).spec.replicas).toBeUndefined();
    expect(api.writes().some((w) => w.path.endsWith('/deployments/eurusd-exec-stable'))).toBe(false);
    expect(envOf(deployment('canary'))).toMatchObject({ AIRLOCK_MODEL_VERSION: '1.2.0', AIRLOCK_MODEL_SHA256: sha });
  });

  it('repairs drift: a replica count or env changed by hand is patched back', async () => {
    await actuator.apply(routing());
    const stable = deployment('stable')!;
    stable.spec.replicas = 1;
    stable.spec.template.spec.containers[0].env.push({ name: 'DEBUG', value: '1' });
    api.put('deployments', NS, 'eurusd-exec-stable', stable);
    const applied = await actuator.apply(routing());
    expect(applied.writes).toEqual(['patch Deployment eurusd-exec-stable']);
    expect(deployment('stable')?.spec.replicas).toBe(8);
    expect(envOf(deployment('stable')).DEBUG).toBeUndefined();
  });

  it('overwrites a routing ConfigMap whose JSON is corrupt, and observe refuses to read it before that', async () => {
    await actuator.apply(routing());
    const configMap = api.get('configmaps', NS, 'eurusd-exec-routing') as Json;
    configMap.data['routing.json'] = '{not json';
    api.put('configmaps', NS, 'eurusd-exec-routing', configMap);
    const error = await actuator.observe('eurusd-exec').then(() => undefined, (e: unknown) => e);
    expect(isActuatorError(error) && error.message).toMatch(/no valid routing JSON/);
    api.clearRequests();
    expect((await actuator.apply(routing())).writes).toEqual(['patch ConfigMap eurusd-exec-routing']);
    expect(api.writes()[0]?.body).toEqual({ data: { 'routing.json': JSON.stringify(routing()) } });
  });

  it('halt scales both tracks to 0', async () => {
    await actuator.apply(routing());
    await actuator.apply(routing({ halted: true, revision: 4 }));
    expect([deployment('stable')?.spec.replicas, deployment('canary')?.spec.replicas]).toEqual([0, 0]);
    expect(await actuator.observe('eurusd-exec')).toMatchObject({ halted: true, replicas: { stable: 0, canary: 0 } });
  });

  it('a removed canary is scaled to 0, keeping its last template; stable takes the whole total', async () => {
    await actuator.apply(routing());
    api.clearRequests();
    await actuator.apply(routing({ canary: null, canaryWeight: 0, revision: 4 }));
    expect(deployment('canary')?.spec.replicas).toBe(0);
    expect(deployment('stable')?.spec.replicas).toBe(10);
    expect(api.writes().find((w) => w.path.endsWith('-canary'))?.body).toEqual({ spec: { replicas: 0 } });
    expect(envOf(deployment('canary')).AIRLOCK_MODEL_VERSION).toBe('1.1.0');
  });

  it('does not create a Deployment for a track without a model', async () => {
    await actuator.apply(routing({ canary: null, canaryWeight: 0 }));
    expect(deployment('canary')).toBeUndefined();
    expect(deployment('stable')?.spec.replicas).toBe(10);
    await actuator.apply(routing({ stable: null, canary: null, canaryWeight: 0, deployment: 'fresh-exec', revision: 1 }));
    expect(api.get('deployments', NS, 'fresh-exec-stable')).toBeUndefined();
    expect(api.get('configmaps', NS, 'fresh-exec-routing')).toBeDefined();
  });

  it('turns a server 500 into an ActuatorError naming the operation and status', async () => {
    api.failNext('GET', /deployments\/eurusd-exec-stable$/, 500);
    const error = await actuator.apply(routing()).then(() => undefined, (e: unknown) => e);
    expect(isActuatorError(error)).toBe(true);
    if (!isActuatorError(error)) return;
    expect(error.status).toBe(500);
    expect(error.operation).toBe(`GET Deployment eurusd-exec-stable in namespace ${NS}`);
    expect(error.message).toMatch(/HTTP 500: injected failure 500/);
    // The next reconcile converges.
    expect((await actuator.apply(routing())).writes).toEqual(['create Deployment eurusd-exec-stable', 'create Deployment eurusd-exec-canary']);
  });

  it('reports a write refused by the server with its status', async () => {
    api.failNext('POST', /deployments$/, 403);
    const error = await actuator.apply(routing()).then(() => undefined, (e: unknown) => e);
    expect(isActuatorError(error) && [error.status, error.operation]).toEqual([403, `POST Deployment eurusd-exec-stable in namespace ${NS}`]);
  });

  it('reports an unreachable server as an ActuatorError without a status', async () => {
    await api.stop();
    const error = await actuator.observe('eurusd-exec').then(() => undefined, (e: unknown) => e);
    expect(isActuatorError(error)).toBe(true);
    expect(isActuatorError(error) && error.status).toBeUndefined();
  });

  it('observe reads back the table and the replica counts that are there', async () => {
    expect(await actuator.observe('eurusd-exec')).toBeNull();
    await actuator.apply(routing());
    expect(await actuator.observe('eurusd-exec')).toEqual({ ...routing(), replicas: { stable: 8, canary: 3 } });
    const canary = deployment('canary')!;
    canary.spec.replicas = 7;
    api.put('deployments', NS, 'eurusd-exec-canary', canary);
    expect((await actuator.observe('eurusd-exec'))?.replicas).toEqual({ stable: 8, canary: 7 });
  });
});

describe('createRolloutActuator', () => {
  it('builds a Kubernetes actuator from a KubeConfig or a kubeconfig file path', async () => {
    const api = await new FakeKubeApi().start();
    try {
      const fromObject = createRolloutActuator({ kind: 'kubernetes', namespace: NS, image: IMAGE, totalReplicas: 4, kubeconfig: api.kubeConfig() });
      expect(fromObject.kind).toBe('kubernetes');
      await fromObject.apply(routing());
      expect((api.get('deployments', NS, 'eurusd-exec-stable') as Json).spec.replicas).toBe(3);

      const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const dir = await mkdtemp(join(tmpdir(), 'airlock-kubeconfig-'));
      const file = join(dir, 'config');
      await writeFile(file, api.kubeConfig().exportConfig());
      const fromFile = createRolloutActuator({ kind: 'kubernetes', namespace: NS, image: IMAGE, totalReplicas: 4, kubeconfig: file });
      expect(await fromFile.observe('eurusd-exec')).toMatchObject({ revision: 3, replicas: { stable: 3, canary: 1 } });
      await rm(dir, { recursive: true, force: true });
    } finally {
      await api.stop();
    }
  });

  it('builds a routing-table actuator around the caller’s callback', async () => {
    const recorded: unknown[] = [];
    const actuator = createRolloutActuator({ kind: 'routing-table', record: async (s) => void recorded.push(s) });
    expect(actuator.kind).toBe('routing-table');
    await actuator.apply(routing());
    expect(recorded).toEqual([routing()]);
  });

  it('refuses a non-positive replica total', () => {
    expect(() => createRolloutActuator({ kind: 'kubernetes', namespace: NS, image: IMAGE, totalReplicas: 0, kubeconfig: new KubeConfig() })).toThrow(/totalReplicas/);
  });
});
