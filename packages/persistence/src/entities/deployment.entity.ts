import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A deployment and its routing table (what execution engines follow). Created on the first promotion request
 * that names it. Routing fields are set by the rollout controller (part B), the kill switch and resume;
 * every change bumps `revision` and is audited.
 */
@Entity('deployments')
export class DeploymentEntity {
  @PrimaryColumn('text')
  name!: string;

  /** `{ model, version, sha256 }` of the last approved stable version, or null before the first rollout completes. */
  @Column('jsonb', { nullable: true })
  stable!: object | null;

  @Column('jsonb', { nullable: true })
  canary!: object | null;

  /** Percent of parent orders routed to the canary, 0–100. */
  @Column('integer', { name: 'canary_weight' })
  canaryWeight!: number;

  /** +1 on every change: the routing ETag. */
  @Column('integer')
  revision!: number;

  @Column('boolean')
  halted!: boolean;

  /** The last kill `{ mode, reason, by, at }`, cleared by resume. */
  @Column('jsonb', { nullable: true })
  kill!: object | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('text', { name: 'updated_by' })
  updatedBy!: string;
}
