import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ModelEntity } from './model.entity.js';

@Entity('model_aliases')
export class ModelAliasEntity {
  @PrimaryColumn('uuid', { name: 'model_id' })
  modelId!: string;

  @ManyToOne(() => ModelEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'model_id', foreignKeyConstraintName: 'fk_model_aliases_model' })
  model?: ModelEntity;

  @PrimaryColumn('text')
  alias!: string;

  @Column('integer')
  version!: number;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('text', { name: 'updated_by' })
  updatedBy!: string;
}
