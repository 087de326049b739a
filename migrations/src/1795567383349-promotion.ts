import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Deployments (routing tables), promotion requests and their four-eyes votes (issue #6, part A). */
export class Promotion1795567383349 implements MigrationInterface {
  name = 'Promotion1795567383349';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"deployments\" (\"name\" text NOT NULL, \"stable\" jsonb, \"canary\" jsonb, \"canary_weight\" integer NOT NULL, \"revision\" integer NOT NULL, \"halted\" boolean NOT NULL, \"kill\" jsonb, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"created_by\" text NOT NULL, \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"updated_by\" text NOT NULL, CONSTRAINT \"PK_a25006350a8f794b8218cb01b55\" PRIMARY KEY (\"name\"))");
    await queryRunner.query("CREATE TABLE \"promotions\" (\"id\" uuid NOT NULL, \"version_id\" uuid NOT NULL, \"deployment\" text NOT NULL, \"sha256\" character(64) NOT NULL, \"tier\" text NOT NULL, \"plan\" jsonb NOT NULL, \"plan_hash\" character(64) NOT NULL, \"phase\" text NOT NULL, \"required_approvals\" integer NOT NULL, \"override\" jsonb, \"requested_by\" text NOT NULL, \"requested_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"decided_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_380cecbbe3ac11f0e5a7c452c34\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"ix_promotions_phase_requested\" ON \"promotions\"  (\"phase\", \"requested_at\") ");
    await queryRunner.query("CREATE TABLE \"promotion_approvals\" (\"id\" uuid NOT NULL, \"promotion_id\" uuid NOT NULL, \"approver\" text NOT NULL, \"decision\" text NOT NULL, \"comment\" text NOT NULL, \"sha256\" character(64) NOT NULL, \"plan_hash\" character(64) NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT \"PK_d44e8695ff38ef4e06622cf1325\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE UNIQUE INDEX \"uq_promotion_approvals_approver\" ON \"promotion_approvals\"  (\"promotion_id\", \"approver\") ");
    await queryRunner.query("ALTER TABLE \"promotions\" ADD CONSTRAINT \"fk_promotions_version\" FOREIGN KEY (\"version_id\") REFERENCES \"model_versions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"promotions\" ADD CONSTRAINT \"fk_promotions_deployment\" FOREIGN KEY (\"deployment\") REFERENCES \"deployments\"(\"name\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"promotion_approvals\" ADD CONSTRAINT \"fk_promotion_approvals_promotion\" FOREIGN KEY (\"promotion_id\") REFERENCES \"promotions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"promotion_approvals\" DROP CONSTRAINT \"fk_promotion_approvals_promotion\"");
    await queryRunner.query("ALTER TABLE \"promotions\" DROP CONSTRAINT \"fk_promotions_deployment\"");
    await queryRunner.query("ALTER TABLE \"promotions\" DROP CONSTRAINT \"fk_promotions_version\"");
    await queryRunner.query("DROP INDEX \"public\".\"uq_promotion_approvals_approver\"");
    await queryRunner.query("DROP TABLE \"promotion_approvals\"");
    await queryRunner.query("DROP INDEX \"public\".\"ix_promotions_phase_requested\"");
    await queryRunner.query("DROP TABLE \"promotions\"");
    await queryRunner.query("DROP TABLE \"deployments\"");
  }
}
