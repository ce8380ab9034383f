import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Several OIDC providers: the provider table, and the provider a login, session or team came from. */
export class Providers1795970000000 implements MigrationInterface {
  name = 'Providers1795970000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "auth_provider" ("id" character varying(63) NOT NULL, "label" character varying(255) NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "oidc" jsonb NOT NULL, "client_secret_encrypted" text, "version" integer NOT NULL DEFAULT 1, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_auth_provider" PRIMARY KEY ("id"))`,
    );
    // NULL everywhere below means the provider "default" (every row written before this migration).
    await queryRunner.query(
      `ALTER TABLE "auth_login_state" ADD "provider_id" character varying(63)`,
    );
    await queryRunner.query(`ALTER TABLE "auth_session" ADD "provider_id" character varying(63)`);
    await queryRunner.query(
      `ALTER TABLE "auth_team_membership" ADD "provider_id" character varying(63)`,
    );
    // Partial: default sessions (NULL) cost the index nothing; deleting a provider finds its own.
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_session_provider" ON "auth_session" ("provider_id") WHERE "provider_id" IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_session_provider"`);
    await queryRunner.query(`ALTER TABLE "auth_team_membership" DROP COLUMN "provider_id"`);
    await queryRunner.query(`ALTER TABLE "auth_session" DROP COLUMN "provider_id"`);
    await queryRunner.query(`ALTER TABLE "auth_login_state" DROP COLUMN "provider_id"`);
    await queryRunner.query(`DROP TABLE "auth_provider"`);
  }
}
