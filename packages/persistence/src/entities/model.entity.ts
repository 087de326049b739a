import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('models')
export class ModelEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Index('uq_models_name', { unique: true })
  @Column('text')
  name!: string;

  @Column('text')
  description!: string;

  /** The accountable person or desk (SR 11-7 model owner). */
  @Column('text')
  owner!: string;

  @Column('text', { name: 'asset_class' })
  assetClass!: string;

  /** low | medium | high: sets approvals needed and revalidation cadence. */
  @Column('text')
  tier!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('text', { name: 'created_by' })
  createdBy!: string;
}
