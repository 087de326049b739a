import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ConfigMap,
  type V1Deployment,
  type V1PodTemplateSpec,
} from '@kubernetes/client-node';
import { ActuatorError } from './actuator.errors.js';
import { assertDesiredRouting, routingTable, sameRouting } from './desired-routing.util.js';
import { splitReplicas } from './replica-split.util.js';
import type { AppliedRouting, DesiredRouting, ModelRef, ObservedRouting, RolloutActuator, TrackReplicas } from './rollout-actuator.port.js';

export const LABEL_DEPLOYMENT = 'airlock.dev/deployment';
export const LABEL_TRACK = 'airlock.dev/track';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Pod-template annotation: the artifact digest the pods run (changing it rolls the pods). */
export const ANNOTATION_MODEL_SHA256 = 'airlock.dev/model-sha256';
/** Pod-template annotation: `<model>@<version>`, for humans and dashboards. */
export const ANNOTATION_MODEL = 'airlock.dev/model';
/** ConfigMap annotation: the routing-table revision it holds. */
export const ANNOTATION_REVISION = 'airlock.dev/routing-revision';
/** ConfigMap key holding the routing table JSON. */
export const ROUTING_KEY = 'routing.json';
/** Where the engine container sees the routing ConfigMap (updates arrive without a restart). */
export const ROUTING_MOUNT_PATH = '/etc/airlock/routing';

export type Track = 'stable' | 'canary';

export interface KubernetesRolloutActuatorOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** Execution-engine image, e.g. `ghcr.io/acme/airlock-engine:1.4.2`. */
  readonly image: string;
  /** Engine pods per deployment, split between stable and canary by weight (see splitReplicas). */
  readonly totalReplicas: number;
  /** Name of the engine container in the pod template. Default `engine`. */
  readonly containerName?: string;
}

/** JSON merge patch (RFC 7386): the patches below only ever set fields, never list-merge. */
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * True when every field set in `desired` has the same value in `observed`. Objects may carry extra keys (the API
 * server defaults many: imagePullPolicy, resourceVersion, …); arrays must match element by element and in length,
 * so an env var added by hand counts as drift and is patched away.
 */
export function isSubset(desired: unknown, observed: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(observed) && desired.length === observed.length && desired.every((item, i) => isSubset(item, observed[i]));
  }
  if (desired !== null && typeof desired === 'object') {
    if (observed === null || typeof observed !== 'object' || Array.isArray(observed)) return false;
    const o = observed as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([key, value]) => value === undefined || isSubset(value, o[key]));
  }
  return desired === observed;
}

/**
 * The Kubernetes actuator. For deployment D in the namespace it manages:
 * - Deployments `D-stable` and `D-canary` of the engine image, each running one model version (env and pod
 *   annotations), replicas split by canary weight;
 * - ConfigMap `D-routing` holding the routing table JSON the engines read (mounted at ROUTING_MOUNT_PATH).
 * Missing objects are created (404 → create), differing ones merge-patched with only the differing fields, equal
 * ones left alone. A track without a model is scaled to 0 (and not created if it does not exist).
 */
export class KubernetesRolloutActuator implements RolloutActuator {
  readonly kind = 'kubernetes' as const;
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly containerName: string;

  constructor(private readonly options: KubernetesRolloutActuatorOptions) {
    if (!Number.isSafeInteger(options.totalReplicas) || options.totalReplicas < 1) throw new RangeError('totalReplicas must be a positive integer');
    this.apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.containerName = options.containerName ?? 'engine';
  }

  get namespace(): string {
    return this.options.namespace;
  }

  /** The replica counts apply() would set for a state. */
  replicasFor(state: DesiredRouting): TrackReplicas {
    return splitReplicas(state, this.options.totalReplicas);
  }

  async apply(state: DesiredRouting): Promise<AppliedRouting> {
    assertDesiredRouting(state);
    const desired = routingTable(state);
    const replicas = this.replicasFor(desired);
    const writes: string[] = [];
    // The table first: engines that scale up below must find the new routing already in place.
    await this.reconcileConfigMap(desired, writes);
    await this.reconcileDeployment(desired.deployment, 'stable', desired.stable, replicas.stable, writes);
    await this.reconcileDeployment(desired.deployment, 'canary', desired.canary, replicas.canary, writes);
    return { deployment: desired.deployment, revision: desired.revision, changed: writes.length > 0, writes };
  }

  async observe(deployment: string): Promise<ObservedRouting | null> {
    const configMap = await this.readConfigMap(`${deployment}-routing`);
    const json = configMap?.data?.[ROUTING_KEY];
    if (json === undefined) return null;
    let table: DesiredRouting;
    try {
      table = routingTable(JSON.parse(json) as DesiredRouting);
    } catch (error) {
      throw new ActuatorError(`ConfigMap ${deployment}-routing holds no valid routing JSON`, `GET ConfigMap ${deployment}-routing in ${this.namespace}`, undefined, { cause: error });
    }
    const stable = await this.readDeployment(`${deployment}-stable`);
    const canary = await this.readDeployment(`${deployment}-canary`);
    return { ...table, replicas: { stable: stable?.spec?.replicas ?? 0, canary: canary?.spec?.replicas ?? 0 } };
  }

  // --- desired objects -------------------------------------------------------------------------------------

  private labels(deployment: string, track?: Track): Record<string, string> {
    return { [LABEL_DEPLOYMENT]: deployment, ...(track ? { [LABEL_TRACK]: track } : {}), [LABEL_MANAGED_BY]: 'airlock' };
  }

  private podTemplate(deployment: string, track: Track, ref: ModelRef): V1PodTemplateSpec {
    return {
      metadata: {
        labels: this.labels(deployment, track),
        annotations: { [ANNOTATION_MODEL_SHA256]: ref.sha256, [ANNOTATION_MODEL]: `${ref.model}@${ref.version}` },
      },
      spec: {
        containers: [
          {
            name: this.containerName,
            image: this.options.image,
            env: [
              { name: 'AIRLOCK_DEPLOYMENT', value: deployment },
              { name: 'AIRLOCK_TRACK', value: track },
              { name: 'AIRLOCK_MODEL', value: ref.model },
              { name: 'AIRLOCK_MODEL_VERSION', value: ref.version },
              { name: 'AIRLOCK_MODEL_SHA256', value: ref.sha256 },
              { name: 'AIRLOCK_ROUTING_FILE', value: `${ROUTING_MOUNT_PATH}/${ROUTING_KEY}` },
            ],
            volumeMounts: [{ name: 'routing', mountPath: ROUTING_MOUNT_PATH, readOnly: true }],
          },
        ],
        volumes: [{ name: 'routing', configMap: { name: `${deployment}-routing` } }],
      },
    };
  }

  // --- reconciliation --------------------------------------------------------------------------------------

  private async reconcileConfigMap(table: DesiredRouting, writes: string[]): Promise<void> {
    const name = `${table.deployment}-routing`;
    const metadata = { name, labels: this.labels(table.deployment), annotations: { [ANNOTATION_REVISION]: String(table.revision) } };
    const data = { [ROUTING_KEY]: JSON.stringify(table) };
    const observed = await this.readConfigMap(name);
    if (observed === null) {
      await this.call(`POST ConfigMap ${name}`, () => this.core.createNamespacedConfigMap({ namespace: this.namespace, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data } }));
      writes.push(`create ConfigMap ${name}`);
      return;
    }
    const dataEqual = holdsRouting(observed.data?.[ROUTING_KEY], table);
    const metadataEqual = isSubset({ labels: metadata.labels, annotations: metadata.annotations }, observed.metadata);
    if (dataEqual && metadataEqual) return;
    const patch: Record<string, unknown> = {};
    if (!metadataEqual) patch.metadata = { labels: metadata.labels, annotations: metadata.annotations };
    if (!dataEqual) patch.data = data;
    await this.call(`PATCH ConfigMap ${name}`, () => this.core.patchNamespacedConfigMap({ name, namespace: this.namespace, body: patch }, MERGE_PATCH));
    writes.push(`patch ConfigMap ${name}`);
  }

  private async reconcileDeployment(deployment: string, track: Track, ref: ModelRef | null, replicas: number, writes: string[]): Promise<void> {
    const name = `${deployment}-${track}`;
    const observed = await this.readDeployment(name);
    if (observed === null) {
      // Nothing to run on this track: do not create an empty Deployment.
      if (ref === null) return;
      const body: V1Deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, labels: this.labels(deployment, track) },
        spec: {
          replicas,
          selector: { matchLabels: { [LABEL_DEPLOYMENT]: deployment, [LABEL_TRACK]: track } },
          template: this.podTemplate(deployment, track, ref),
        },
      };
      await this.call(`POST Deployment ${name}`, () => this.apps.createNamespacedDeployment({ namespace: this.namespace, body }));
      writes.push(`create Deployment ${name}`);
      return;
    }
    // Without a model the track is only scaled down; its template (the last model it ran) is left as it was.
    const template = ref === null ? null : this.podTemplate(deployment, track, ref);
    const patch: { metadata?: unknown; spec?: { replicas?: number; template?: V1PodTemplateSpec } } = {};
    const labels = this.labels(deployment, track);
    if (!isSubset(labels, observed.metadata?.labels)) patch.metadata = { labels };
    if (observed.spec?.replicas !== replicas) patch.spec = { replicas };
    if (template !== null && !isSubset(template, observed.spec?.template)) patch.spec = { ...patch.spec, template };
    if (patch.metadata === undefined && patch.spec === undefined) return;
    await this.call(`PATCH Deployment ${name}`, () => this.apps.patchNamespacedDeployment({ name, namespace: this.namespace, body: patch }, MERGE_PATCH));
    writes.push(`patch Deployment ${name}`);
  }

  // --- API access ------------------------------------------------------------------------------------------

  private readDeployment(name: string): Promise<V1Deployment | null> {
    return this.call(`GET Deployment ${name}`, () => this.apps.readNamespacedDeployment({ name, namespace: this.namespace }), { notFound: null });
  }

  private readConfigMap(name: string): Promise<V1ConfigMap | null> {
    return this.call(`GET ConfigMap ${name}`, () => this.core.readNamespacedConfigMap({ name, namespace: this.namespace }), { notFound: null });
  }

  /** Runs one API call, turning its failures into an ActuatorError that names the operation and the status. */
  private async call<T, F = never>(what: string, run: () => Promise<T>, options?: { notFound: F }): Promise<T | F> {
    const operation = `${what} in namespace ${this.namespace}`;
    try {
      return await run();
    } catch (error) {
      if (error instanceof ApiException) {
        if (error.code === 404 && options !== undefined) return options.notFound;
        throw new ActuatorError(`Kubernetes ${operation} failed with HTTP ${error.code}: ${statusMessage(error.body)}`, operation, error.code, { cause: error });
      }
      throw new ActuatorError(`Kubernetes ${operation} failed: ${(error as Error).message}`, operation, undefined, { cause: error });
    }
  }
}

/** True when the ConfigMap's JSON is the same table (unparseable JSON is not: it gets overwritten). */
function holdsRouting(json: string | undefined, table: DesiredRouting): boolean {
  if (json === undefined) return false;
  try {
    return sameRouting(JSON.parse(json) as DesiredRouting, table);
  } catch {
    return false;
  }
}

/** The `message` of a Kubernetes Status body (the client hands it over as a string or parsed), else the body. */
function statusMessage(body: unknown): string {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return value === '' ? '(empty body)' : (value as string).slice(0, 300);
    }
  }
  if (value !== null && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return (value as { message: string }).message;
  return JSON.stringify(value)?.slice(0, 300) ?? '(no body)';
}
