export * from './rollout-actuator.port.js';
export * from './rollout-actuator.factory.js';
export { ActuatorError, isActuatorError } from './actuator.errors.js';
export { assertDesiredRouting, routingTable, sameRouting } from './desired-routing.util.js';
export { splitReplicas } from './replica-split.util.js';
export { RoutingTableActuator, type RoutingTableActuatorOptions } from './routing-table-actuator.adapter.js';
export {
  KubernetesRolloutActuator,
  type KubernetesRolloutActuatorOptions,
  type Track,
  ANNOTATION_MODEL,
  ANNOTATION_MODEL_SHA256,
  ANNOTATION_REVISION,
  LABEL_DEPLOYMENT,
  LABEL_MANAGED_BY,
  LABEL_TRACK,
  ROUTING_KEY,
  ROUTING_MOUNT_PATH,
} from './kubernetes-rollout-actuator.adapter.js';
