/**
 * The rollout actuator port (DESIGN.md, "Ports with one factory switch"): turns a deployment's desired routing
 * (the routing table of docs/promotion.md) into whatever runs it. Two adapters, chosen by
 * `createRolloutActuator(config)`: `routing-table` (records the table only; engines poll it) and `kubernetes`
 * (stable/canary Deployments plus a routing ConfigMap).
 *
 * Level-triggered: `apply` compares the desired state with what is observed and writes only the difference, so
 * it is safe to call repeatedly (on every reconcile tick, after a crash, twice in a row); applying a state that
 * is already in place writes nothing and reports `changed: false`.
 */

/** One model version an engine track runs; `sha256` is the artifact's lowercase hex digest. */
export interface ModelRef {
  readonly model: string;
  readonly version: string;
  readonly sha256: string;
}

/** A deployment's routing table as the promotion service holds it (docs/promotion.md, "Routing tables"). */
export interface DesiredRouting {
  /** Deployment name (DNS-1123 label, at most 50 characters so `<name>-routing` still fits). */
  readonly deployment: string;
  /** null: no model of this deployment may trade yet (engines use their non-ML fallback). */
  readonly stable: ModelRef | null;
  readonly canary: ModelRef | null;
  /** Percent (0–100) of parent orders sent to the canary; the rest go to stable. */
  readonly canaryWeight: number;
  /** Engines must stop sending orders under this deployment. */
  readonly halted: boolean;
  /** Routing-table revision (rises by one on every change); carried through so engines can tell tables apart. */
  readonly revision: number;
}

export interface AppliedRouting {
  readonly deployment: string;
  readonly revision: number;
  /** False when the observed state already matched: nothing was written. */
  readonly changed: boolean;
  /** The writes performed, in order, e.g. `create Deployment d-stable`, `patch ConfigMap d-routing`. */
  readonly writes: readonly string[];
}

/** Replica counts of the two engine tracks (Kubernetes only). */
export interface TrackReplicas {
  readonly stable: number;
  readonly canary: number;
}

export interface ObservedRouting extends DesiredRouting {
  /** Desired replica counts of the stable/canary Deployments; null for actuators that run nothing. */
  readonly replicas: TrackReplicas | null;
}

export type RolloutActuatorKind = 'routing-table' | 'kubernetes';

export interface RolloutActuator {
  readonly kind: RolloutActuatorKind;
  /**
   * Brings the deployment to `state`, writing only what differs.
   * @throws DomainError VALIDATION_FAILED (malformed state, every problem listed); ActuatorError when the backend
   *   refuses or fails (carries the HTTP status for Kubernetes).
   */
  apply(state: DesiredRouting): Promise<AppliedRouting>;
  /** What is in place for the deployment now, or null when the actuator has never applied anything for it. */
  observe(deployment: string): Promise<ObservedRouting | null>;
}
