import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Rollout1795569969762 implements MigrationInterface {
  name = 'Rollout1795569969762';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"rollouts\" (\"id\" uuid NOT NULL, \"promotion_id\" uuid NOT NULL, \"deployment\" text NOT NULL, \"candidate\" jsonb NOT NULL, \"stable\" jsonb, \"plan\" jsonb NOT NULL, \"plan_hash\" character(64) NOT NULL, \"approval\" jsonb NOT NULL, \"phase\" text NOT NULL, \"status\" jsonb NOT NULL, \"pending_command\" jsonb, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"finished_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_835787271e5a8640da0b5d616f1\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"ix_rollouts_deployment_created\" ON \"rollouts\"  (\"deployment\", \"created_at\") ");
    await queryRunner.query("CREATE UNIQUE INDEX \"uq_rollouts_promotion\" ON \"rollouts\"  (\"promotion_id\") ");
    await queryRunner.query("ALTER TABLE \"rollouts\" ADD CONSTRAINT \"fk_rollouts_promotion\" FOREIGN KEY (\"promotion_id\") REFERENCES \"promotions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"rollouts\" ADD CONSTRAINT \"fk_rollouts_deployment\" FOREIGN KEY (\"deployment\") REFERENCES \"deployments\"(\"name\") ON DELETE RESTRICT ON UPDATE NO ACTION");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"rollouts\" DROP CONSTRAINT \"fk_rollouts_deployment\"");
    await queryRunner.query("ALTER TABLE \"rollouts\" DROP CONSTRAINT \"fk_rollouts_promotion\"");
    await queryRunner.query("DROP INDEX \"public\".\"uq_rollouts_promotion\"");
    await queryRunner.query("DROP INDEX \"public\".\"ix_rollouts_deployment_created\"");
    await queryRunner.query("DROP TABLE \"rollouts\"");
  }
}
