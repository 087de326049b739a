import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RolloutLiveAnalysis1795574775079 implements MigrationInterface {
  name = 'RolloutLiveAnalysis1795574775079';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"rollouts\" ADD \"live_analysis\" jsonb");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"rollouts\" DROP COLUMN \"live_analysis\"");
  }
}
