import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { PromotionEntity } from './promotion.entity.js';

/** One risk officer's vote on a promotion; immutable. One per approver and promotion. */
@Entity('promotion_approvals')
@Index('uq_promotion_approvals_approver', ['promotionId', 'approver'], { unique: true })
export class PromotionApprovalEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'promotion_id' })
  promotionId!: string;

  @ManyToOne(() => PromotionEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'promotion_id', foreignKeyConstraintName: 'fk_promotion_approvals_promotion' })
  promotion?: PromotionEntity;

  /** `key:<id>` of the voter. */
  @Column('text')
  approver!: string;

  /** approve | reject. */
  @Column('text')
  decision!: string;

  @Column('text')
  comment!: string;

  /** The artifact digest and plan hash the vote was cast for. */
  @Column('char', { length: 64 })
  sha256!: string;

  @Column('char', { name: 'plan_hash', length: 64 })
  planHash!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
