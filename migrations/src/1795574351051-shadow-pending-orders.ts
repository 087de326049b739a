import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ShadowPendingOrders1795574351051 implements MigrationInterface {
  name = 'ShadowPendingOrders1795574351051';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"shadow_runner_checkpoints\" ADD \"pending_orders\" jsonb");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"shadow_runner_checkpoints\" DROP COLUMN \"pending_orders\"");
  }
}
