import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry's first schema: API keys, models, versions, aliases, idempotency records and the audit chain.
 * Generated from the entities, plus the trigger that makes audit_events append-only (UPDATE, DELETE and
 * TRUNCATE raise), which no entity can express.
 */
export class Initial1764028800000 implements MigrationInterface {
  name = 'Initial1764028800000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL, "name" text NOT NULL, "roles" text array NOT NULL, "key_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" text NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_key_hash" ON "api_keys"  ("key_hash") `);
    await queryRunner.query(`CREATE TABLE "audit_events" ("seq" bigint NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "actor" text NOT NULL, "action" text NOT NULL, "subject" text NOT NULL, "data" jsonb NOT NULL, "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_6e299f5706e715265416fefe53e" PRIMARY KEY ("seq"))`);
    await queryRunner.query(`CREATE INDEX "ix_audit_events_subject" ON "audit_events"  ("subject", "seq") `);
    await queryRunner.query(`CREATE TABLE "idempotency_records" ("scope" character(64) NOT NULL, "key" text NOT NULL, "fingerprint" character(64) NOT NULL, "response_status" integer, "response_body" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_890bd19871113b0b23724d1bf26" PRIMARY KEY ("scope", "key"))`);
    await queryRunner.query(`CREATE TABLE "models" ("id" uuid NOT NULL, "name" text NOT NULL, "description" text NOT NULL, "owner" text NOT NULL, "asset_class" text NOT NULL, "tier" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" text NOT NULL, CONSTRAINT "PK_ef9ed7160ea69013636466bf2d5" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_models_name" ON "models"  ("name") `);
    await queryRunner.query(`CREATE TABLE "model_aliases" ("model_id" uuid NOT NULL, "alias" text NOT NULL, "version" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_by" text NOT NULL, CONSTRAINT "PK_1440efdfe2e08fdfc5db39a1d0f" PRIMARY KEY ("model_id", "alias"))`);
    await queryRunner.query(`CREATE TABLE "model_versions" ("id" uuid NOT NULL, "model_id" uuid NOT NULL, "version" integer NOT NULL, "sha256" character(64) NOT NULL, "size_bytes" bigint NOT NULL, "manifest" jsonb NOT NULL, "inspection" jsonb NOT NULL, "status" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" text NOT NULL, CONSTRAINT "PK_77c0256872dcc26394dba4b87ec" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_model_versions_model_sha256" ON "model_versions"  ("model_id", "sha256") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_model_versions_model_version" ON "model_versions"  ("model_id", "version") `);
    await queryRunner.query(`ALTER TABLE "model_aliases" ADD CONSTRAINT "fk_model_aliases_model" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "model_versions" ADD CONSTRAINT "fk_model_versions_model" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER audit_events_no_truncate ON "audit_events"`);
    await queryRunner.query(`DROP TRIGGER audit_events_append_only ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION audit_events_refuse_change()`);
    await queryRunner.query(`ALTER TABLE "model_versions" DROP CONSTRAINT "fk_model_versions_model"`);
    await queryRunner.query(`ALTER TABLE "model_aliases" DROP CONSTRAINT "fk_model_aliases_model"`);
    await queryRunner.query(`DROP INDEX "public"."uq_model_versions_model_version"`);
    await queryRunner.query(`DROP INDEX "public"."uq_model_versions_model_sha256"`);
    await queryRunner.query(`DROP TABLE "model_versions"`);
    await queryRunner.query(`DROP TABLE "model_aliases"`);
    await queryRunner.query(`DROP INDEX "public"."uq_models_name"`);
    await queryRunner.query(`DROP TABLE "models"`);
    await queryRunner.query(`DROP TABLE "idempotency_records"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_events_subject"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP INDEX "public"."uq_api_keys_key_hash"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
  }
}
