import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replaces the row-level trigger on `auth_session` of SessionChangeNotify1795930000000 with
 * statement-level ones (transition tables): one NOTIFY per statement instead of one per row.
 * Payloads: `s:<id>` (one session, as before), `ss:<id>,<id>,...` (several sessions),
 * `uu:<user id>,...` (too many sessions for one payload: drop their users) or `all` (drop
 * everything). Listeners of the older version treat the new prefixes as "clear all", so a
 * rolling upgrade never serves a revoked session. `auth_user` keeps its row-level trigger.
 */
export class SessionChangeNotifyStatement1795950000000 implements MigrationInterface {
  name = 'SessionChangeNotifyStatement1795950000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // 200 uuids (36 characters and a comma each) stay well under NOTIFY's 8000-byte payload limit.
    await queryRunner.query(`
      CREATE FUNCTION "auth_notify_sessions_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids text[];
        users text[];
      BEGIN
        IF TG_OP = 'DELETE' THEN
          SELECT array_agg(o.id::text), array_agg(DISTINCT o.user_id::text) INTO ids, users
            FROM auth_session_old o;
        ELSE
          SELECT array_agg(o.id::text), array_agg(DISTINCT o.user_id::text) INTO ids, users
            FROM auth_session_old o JOIN auth_session_new n ON n.id = o.id
           WHERE o.revoked_at IS DISTINCT FROM n.revoked_at
              OR o.expires_at IS DISTINCT FROM n.expires_at
              OR o.user_id IS DISTINCT FROM n.user_id;
        END IF;
        IF ids IS NULL THEN
          RETURN NULL;
        ELSIF cardinality(ids) = 1 THEN
          PERFORM pg_notify('auth_session_changed', 's:' || ids[1]);
        ELSIF cardinality(ids) <= 200 THEN
          PERFORM pg_notify('auth_session_changed', 'ss:' || array_to_string(ids, ','));
        ELSIF cardinality(users) <= 200 THEN
          PERFORM pg_notify('auth_session_changed', 'uu:' || array_to_string(users, ','));
        ELSE
          PERFORM pg_notify('auth_session_changed', 'all');
        END IF;
        RETURN NULL;
      END
      $$`);
    await queryRunner.query(`DROP TRIGGER "auth_session_changed" ON "auth_session"`);
    // A trigger with transition tables takes one event: one for UPDATE, one for DELETE.
    await queryRunner.query(
      `CREATE TRIGGER "auth_session_changed_update" AFTER UPDATE ON "auth_session"
       REFERENCING OLD TABLE AS "auth_session_old" NEW TABLE AS "auth_session_new"
       FOR EACH STATEMENT EXECUTE FUNCTION "auth_notify_sessions_changed"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "auth_session_changed_delete" AFTER DELETE ON "auth_session"
       REFERENCING OLD TABLE AS "auth_session_old"
       FOR EACH STATEMENT EXECUTE FUNCTION "auth_notify_sessions_changed"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "auth_session_changed_delete" ON "auth_session"`);
    await queryRunner.query(`DROP TRIGGER "auth_session_changed_update" ON "auth_session"`);
    await queryRunner.query(`DROP FUNCTION "auth_notify_sessions_changed"()`);
    await queryRunner.query(
      `CREATE TRIGGER "auth_session_changed" AFTER UPDATE OR DELETE ON "auth_session" FOR EACH ROW EXECUTE FUNCTION "auth_notify_session_changed"()`,
    );
  }
}
