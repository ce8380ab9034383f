import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Auth log: identical refusals from one address are folded into one row (`count`, `last_at`);
 * `device_id` names the trusted-device cookie of a password attempt; an index serves both
 * the folding lookup and the per-address throttles, another the admin filters by user name.
 */
export class AuthLogFolding1795961000000 implements MigrationInterface {
  name = 'AuthLogFolding1795961000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "auth_log" ADD "count" integer NOT NULL DEFAULT 1`);
    await queryRunner.query(`ALTER TABLE "auth_log" ADD "last_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "auth_log" ADD "device_id" character varying(32)`);
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_log_failed_address" ON "auth_log" ("ip_address", "created_at") WHERE "success" = false`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_log_user_created" ON "auth_log" ("user_name", "created_at")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_log_user_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_log_failed_address"`);
    await queryRunner.query(`ALTER TABLE "auth_log" DROP COLUMN "device_id"`);
    await queryRunner.query(`ALTER TABLE "auth_log" DROP COLUMN "last_at"`);
    await queryRunner.query(`ALTER TABLE "auth_log" DROP COLUMN "count"`);
  }
}
