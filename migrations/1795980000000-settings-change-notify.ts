import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Settings and provider changes NOTIFY `auth_settings_changed` (once per statement), so every
 * instance trusts its cached settings without a version probe per sign-in and re-reads them
 * only after a change. Listeners of older versions do not LISTEN on it and still probe.
 */
export class SettingsChangeNotify1795980000000 implements MigrationInterface {
  name = 'SettingsChangeNotify1795980000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "auth_notify_settings_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('auth_settings_changed', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    for (const table of ['auth_settings', 'auth_provider'])
      await queryRunner.query(
        `CREATE TRIGGER "${table}_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "${table}"
         FOR EACH STATEMENT EXECUTE FUNCTION "auth_notify_settings_changed"()`,
      );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['auth_settings', 'auth_provider'])
      await queryRunner.query(`DROP TRIGGER IF EXISTS "${table}_changed" ON "${table}"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS "auth_notify_settings_changed"()`);
  }
}
