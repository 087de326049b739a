import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An API key. Only the sha256 of the key is stored: keys are 256-bit random, so a fast hash is enough. */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text', { array: true })
  roles!: string[];

  @Index('uq_api_keys_key_hash', { unique: true })
  @Column('char', { name: 'key_hash', length: 64 })
  keyHash!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  /** `key:<id>` of the admin who created it, or `bootstrap`. */
  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
