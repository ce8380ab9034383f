import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Partial indexes for counting recent failed password attempts per user name and per address. */
export class LoginThrottleIndexes1795940000000 implements MigrationInterface {
  name = 'LoginThrottleIndexes1795940000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_log_failed_password_user" ON "auth_log" ("user_name", "created_at") WHERE "method" = 'password' AND "reason" = 'invalid_credentials'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_auth_log_failed_password_address" ON "auth_log" ("ip_address", "created_at") WHERE "method" = 'password' AND "reason" = 'invalid_credentials'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_log_failed_password_address"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_auth_log_failed_password_user"`);
  }
}
