import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesRolloutActuator } from './kubernetes-rollout-actuator.adapter.js';
import type { RolloutActuator } from './rollout-actuator.port.js';
import { RoutingTableActuator, type RoutingTableActuatorOptions } from './routing-table-actuator.adapter.js';

export interface RoutingTableActuatorConfig extends RoutingTableActuatorOptions {
  readonly kind: 'routing-table';
}

export interface KubernetesActuatorConfig {
  readonly kind: 'kubernetes';
  readonly namespace: string;
  /** Execution-engine image the stable and canary Deployments run. */
  readonly image: string;
  /** Engine pods per deployment, split between the tracks by canary weight. */
  readonly totalReplicas: number;
  /**
   * Where the API server and credentials come from: omitted → the default loading rules (KUBECONFIG, then
   * ~/.kube/config, then in-cluster); `'in-cluster'` → the pod's service account; any other string → that
   * kubeconfig file; a KubeConfig → used as is (tests, callers that build their own).
   */
  readonly kubeconfig?: string | 'in-cluster' | KubeConfig;
  /** Name of the engine container. Default `engine`. */
  readonly containerName?: string;
}

/** The discriminated union the factory switches on. */
export type RolloutActuatorConfig = RoutingTableActuatorConfig | KubernetesActuatorConfig;

export function loadKubeConfig(source: KubernetesActuatorConfig['kubeconfig']): KubeConfig {
  if (source instanceof KubeConfig) return source;
  const kubeConfig = new KubeConfig();
  if (source === undefined) kubeConfig.loadFromDefault();
  else if (source === 'in-cluster') kubeConfig.loadFromCluster();
  else kubeConfig.loadFromFile(source);
  return kubeConfig;
}

export function createRolloutActuator(config: RolloutActuatorConfig): RolloutActuator {
  switch (config.kind) {
    case 'routing-table':
      return new RoutingTableActuator({ record: config.record, ...(config.read ? { read: config.read } : {}) });
    case 'kubernetes':
      return new KubernetesRolloutActuator({
        kubeConfig: loadKubeConfig(config.kubeconfig),
        namespace: config.namespace,
        image: config.image,
        totalReplicas: config.totalReplicas,
        ...(config.containerName !== undefined ? { containerName: config.containerName } : {}),
      });
    default: {
      const unknown: never = config;
      throw new Error(`unknown rollout actuator kind ${(unknown as { kind: string }).kind}`);
    }
  }
}
