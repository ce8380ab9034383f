import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifies `auth_session_changed` (payload `s:<session id>` or `u:<user id>`) when a session
 * or a user changes, at commit, so every instance drops its cached sessions whatever code
 * path made the change.
 */
export class SessionChangeNotify1795930000000 implements MigrationInterface {
  name = 'SessionChangeNotify1795930000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION "auth_notify_session_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'auth_session' THEN
          IF TG_OP = 'DELETE' THEN
            PERFORM pg_notify('auth_session_changed', 's:' || OLD.id::text);
          ELSIF OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
             OR OLD.expires_at IS DISTINCT FROM NEW.expires_at OR OLD.user_id IS DISTINCT FROM NEW.user_id THEN
            PERFORM pg_notify('auth_session_changed', 's:' || OLD.id::text);
          END IF;
        ELSE
          PERFORM pg_notify('auth_session_changed', 'u:' || OLD.id::text);
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER "auth_session_changed" AFTER UPDATE OR DELETE ON "auth_session" FOR EACH ROW EXECUTE FUNCTION "auth_notify_session_changed"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "auth_user_changed" AFTER UPDATE OR DELETE ON "auth_user" FOR EACH ROW EXECUTE FUNCTION "auth_notify_session_changed"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "auth_user_changed" ON "auth_user"`);
    await queryRunner.query(`DROP TRIGGER "auth_session_changed" ON "auth_session"`);
    await queryRunner.query(`DROP FUNCTION "auth_notify_session_changed"()`);
  }
}
