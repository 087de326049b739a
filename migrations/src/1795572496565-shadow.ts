import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Shadow1795572496565 implements MigrationInterface {
  name = 'Shadow1795572496565';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE \"live_metric_windows\" (\"deployment\" text NOT NULL, \"model\" text NOT NULL, \"version\" integer NOT NULL, \"date\" text NOT NULL, \"window_start_ns\" bigint NOT NULL, \"window_ns\" bigint NOT NULL, \"counters\" jsonb NOT NULL, CONSTRAINT \"PK_ac3b6ff10ac0384ec518c13ab89\" PRIMARY KEY (\"deployment\", \"model\", \"version\", \"date\", \"window_start_ns\"))");
    await queryRunner.query("CREATE TABLE \"shadow_sessions\" (\"id\" uuid NOT NULL, \"model\" text NOT NULL, \"deployment\" text NOT NULL, \"candidates\" jsonb NOT NULL, \"policy\" jsonb NOT NULL, \"instruments\" jsonb, \"phase\" text NOT NULL, \"verdicts\" jsonb, \"totals\" jsonb NOT NULL, \"stop_requested_by\" text, \"evidence_sha256\" character(64), \"failure\" text, \"created_by\" text NOT NULL, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL, \"completed_at\" TIMESTAMP WITH TIME ZONE, CONSTRAINT \"PK_48087dfeda740cd5ba4b3257b4a\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"ix_shadow_sessions_phase\" ON \"shadow_sessions\"  (\"phase\") ");
    await queryRunner.query("CREATE TABLE \"shadow_findings\" (\"id\" BIGSERIAL NOT NULL, \"session_id\" uuid NOT NULL, \"kind\" text NOT NULL, \"position\" bigint NOT NULL, \"event_id\" text, \"reason\" text NOT NULL, \"example\" jsonb, \"created_at\" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT \"PK_314d172e7512b0329cc9bd3591a\" PRIMARY KEY (\"id\"))");
    await queryRunner.query("CREATE INDEX \"ix_shadow_findings_session_kind\" ON \"shadow_findings\"  (\"session_id\", \"kind\", \"position\") ");
    await queryRunner.query("CREATE TABLE \"shadow_metric_windows\" (\"session_id\" uuid NOT NULL, \"model\" text NOT NULL, \"version\" integer NOT NULL, \"role\" text NOT NULL, \"date\" text NOT NULL, \"window_start_ns\" bigint NOT NULL, \"window_ns\" bigint NOT NULL, \"counters\" jsonb NOT NULL, CONSTRAINT \"PK_516e502e234eebcb74d785518bc\" PRIMARY KEY (\"session_id\", \"model\", \"version\", \"role\", \"date\", \"window_start_ns\"))");
    await queryRunner.query("CREATE TABLE \"shadow_order_results\" (\"session_id\" uuid NOT NULL, \"model\" text NOT NULL, \"version\" integer NOT NULL, \"order_id\" text NOT NULL, \"instrument\" text NOT NULL, \"date\" text NOT NULL, \"live_is_bps\" double precision NOT NULL, \"candidate_is_bps\" double precision NOT NULL, \"live_filled\" double precision NOT NULL, \"candidate_filled\" double precision NOT NULL, \"quantity\" double precision NOT NULL, CONSTRAINT \"PK_2adc65e08e666ac7a09ba2e3df5\" PRIMARY KEY (\"session_id\", \"model\", \"version\", \"order_id\"))");
    await queryRunner.query("CREATE TABLE \"shadow_runner_checkpoints\" (\"durable\" text NOT NULL, \"position\" bigint NOT NULL, \"rewind_position\" bigint NOT NULL, \"updated_at\" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT \"PK_bf4ea01c844fa5a5e455d529d76\" PRIMARY KEY (\"durable\"))");
    await queryRunner.query("ALTER TABLE \"shadow_sessions\" ADD CONSTRAINT \"fk_shadow_sessions_deployment\" FOREIGN KEY (\"deployment\") REFERENCES \"deployments\"(\"name\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"shadow_findings\" ADD CONSTRAINT \"fk_shadow_findings_session\" FOREIGN KEY (\"session_id\") REFERENCES \"shadow_sessions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"shadow_metric_windows\" ADD CONSTRAINT \"fk_shadow_metric_windows_session\" FOREIGN KEY (\"session_id\") REFERENCES \"shadow_sessions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
    await queryRunner.query("ALTER TABLE \"shadow_order_results\" ADD CONSTRAINT \"fk_shadow_order_results_session\" FOREIGN KEY (\"session_id\") REFERENCES \"shadow_sessions\"(\"id\") ON DELETE RESTRICT ON UPDATE NO ACTION");
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE \"shadow_order_results\" DROP CONSTRAINT \"fk_shadow_order_results_session\"");
    await queryRunner.query("ALTER TABLE \"shadow_metric_windows\" DROP CONSTRAINT \"fk_shadow_metric_windows_session\"");
    await queryRunner.query("ALTER TABLE \"shadow_findings\" DROP CONSTRAINT \"fk_shadow_findings_session\"");
    await queryRunner.query("ALTER TABLE \"shadow_sessions\" DROP CONSTRAINT \"fk_shadow_sessions_deployment\"");
    await queryRunner.query("DROP TABLE \"shadow_runner_checkpoints\"");
    await queryRunner.query("DROP TABLE \"shadow_order_results\"");
    await queryRunner.query("DROP TABLE \"shadow_metric_windows\"");
    await queryRunner.query("DROP INDEX \"public\".\"ix_shadow_findings_session_kind\"");
    await queryRunner.query("DROP TABLE \"shadow_findings\"");
    await queryRunner.query("DROP INDEX \"public\".\"ix_shadow_sessions_phase\"");
    await queryRunner.query("DROP TABLE \"shadow_sessions\"");
    await queryRunner.query("DROP TABLE \"live_metric_windows\"");
  }
}
