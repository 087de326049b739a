import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Datasets, validation runs and their shards (issue #4). */
export class Validation1795564936565 implements MigrationInterface {
  name = 'Validation1795564936565';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"datasets\" (\"id\" uuid NOT NULL, \"name\" text NOT NULL, \"sha256\" character(64) NOT NULL, \"size_bytes\" bigint NOT NULL, \"format\" text NOT NULL, \"instrument\" text NOT NULL, \"date\" text NOT NULL, \"levels\" integer NOT NULL, \"messages\" integer NOT NULL, \"quality\" jsonb NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"created_by\" text NOT NULL, CONSTRAINT \"PK_1bf831e43c559a240303e23d038\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"uq_datasets_name\" ON \"datasets\"  (\"name\") ");
    await queryRunner.query("CREATE TABLE \"validation_runs\" (\"id\" uuid NOT NULL, \"version_id\" uuid NOT NULL, \"suite\" jsonb NOT NULL, \"champion\" jsonb, \"phase\" text NOT NULL, \"shards_total\" integer NOT NULL, \"shards_done\" integer NOT NULL, \"gates\" jsonb, \"report\" jsonb, \"evidence_sha256\" character(64), \"error\" text, \"requested_by\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"started_at\" TIMESTAMP WITH TIME ZONE, \"finished_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_9ba1a734aa58ba6919e1e538153\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"ix_validation_runs_version\" ON \"validation_runs\"  (\"version_id\", \"created_at\") ");
    await queryRunner.query("CREATE TABLE \"validation_shards\" (\"id\" uuid NOT NULL, \"run_id\" uuid NOT NULL, \"index\" integer NOT NULL, \"spec\" jsonb NOT NULL, \"status\" text NOT NULL, \"result\" jsonb, \"finished_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_19fab5c2f9a6165eb7711a9506c\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"uq_validation_shards_run_index\" ON \"validation_shards\"  (\"run_id\", \"index\") ");
    await queryRunner.query("ALTER TABLE \"validation_runs\" ADD CONSTRAINT \"fk_validation_runs_version\" FOREIGN KEY (\"version_id\") REFERENCES \"model_versions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"validation_shards\" ADD CONSTRAINT \"fk_validation_shards_run\" FOREIGN KEY (\"run_id\") REFERENCES \"validation_runs\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"validation_shards\" DROP CONSTRAINT \"fk_validation_shards_run\"");
    await queryRunner.query("ALTER TABLE \"validation_runs\" DROP CONSTRAINT \"fk_validation_runs_version\"");
    await queryRunner.query("DROP INDEX \"public\".\"uq_validation_shards_run_index\"");
    await queryRunner.query("DROP TABLE \"validation_shards\"");
    await queryRunner.query("DROP INDEX \"public\".\"ix_validation_runs_version\"");
    await queryRunner.query("DROP TABLE \"validation_runs\"");
    await queryRunner.query("DROP INDEX \"public\".\"uq_datasets_name\"");
    await queryRunner.query("DROP TABLE \"datasets\"");
  }
}
