import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Test sign-ins of admins: candidate settings, one-time state, then the report. */
export class TestSignIn1795960000000 implements MigrationInterface {
  name = 'TestSignIn1795960000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "auth_test_sign_in" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "state_hash" character(64), "browser_hash" character(64) NOT NULL, "admin_user_id" uuid NOT NULL, "nonce" text NOT NULL, "code_verifier" text, "settings" jsonb NOT NULL, "client_secret_encrypted" text, "status" character varying(16) NOT NULL, "report" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_baa5f62b5278d6bc3d5b0be82ef" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_auth_test_sign_in_state" ON "auth_test_sign_in" ("state_hash") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_test_sign_in_expires" ON "auth_test_sign_in" ("expires_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_test_sign_in_expires"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_auth_test_sign_in_state"`);
    await queryRunner.query(`DROP TABLE "auth_test_sign_in"`);
  }
}
