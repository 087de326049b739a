import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Whether a validation run's verdict sets its version's status (ADR 0007). */
export class RunAffectsStatus1795569322093 implements MigrationInterface {
  name = 'RunAffectsStatus1795569322093';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"validation_runs\" ADD \"affects_status\" boolean NOT NULL DEFAULT true");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"validation_runs\" DROP COLUMN \"affects_status\"");
  }
}
