import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A registered market-data set (a LOBSTER archive), stored in the artifact store under its sha256. */
@Entity('datasets')
export class DatasetEntity {
  @PrimaryColumn('uuid')
  id!: string;

  /** Unique, human-chosen; suites refer to datasets by name. */
  @Index('uq_datasets_name', { unique: true })
  @Column('text')
  name!: string;

  @Column('char', { length: 64 })
  sha256!: string;

  @Column('bigint', { name: 'size_bytes', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  sizeBytes!: number;

  /** `lobster` (message + orderbook CSVs, zipped or not). */
  @Column('text')
  format!: string;

  @Column('text')
  instrument!: string;

  /** Trading date, YYYY-MM-DD. */
  @Column('text')
  date!: string;

  @Column('integer')
  levels!: number;

  @Column('integer')
  messages!: number;

  /** The data-quality report (crossed/locked books, gaps, halts, out-of-order times, …). */
  @Column('jsonb')
  quality!: object;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('text', { name: 'created_by' })
  createdBy!: string;
}
