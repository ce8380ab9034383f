import { Injectable, Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import { preparedQuery } from '../database/prepared-query.js';
import { LogoutJtiEntity } from './logout-jti.entity.js';

/** Latest expiry stored (9999-12-31): a later or invalid date is a refusal, never a database error. */
const MAX_EXPIRY_MS = 253_402_300_799_000;

function checkExpiry(expiresAt: Date): void {
  const at = expiresAt.getTime();
  if (!Number.isFinite(at) || at > MAX_EXPIRY_MS)
    throw new AuthError('logout_token_invalid', 'The logout token\'s "exp" is out of range.');
}

/** Expired jti rows are purged at most this often per instance. */
const PURGE_INTERVAL_MS = 10 * 60_000;

/** Remembers the `jti` of accepted logout tokens in Postgres, so a replay is refused on every instance. */
@Injectable()
export class LogoutJtiService {
  private readonly logger = new Logger('LogoutJti');
  private lastPurge = 0;

  /**
   * Records the jti; false when it was seen before. Inside the caller's transaction, a parallel
   * insert of the same jti waits for it and then finds the row, so only one of them wins.
   */
  async remember(
    manager: EntityManager,
    issuer: string,
    jti: string,
    expiresAt: Date,
  ): Promise<boolean> {
    checkExpiry(expiresAt);
    const rows: unknown[] = await manager.query(
      `INSERT INTO "auth_logout_jti" ("issuer", "jti", "expires_at") VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING "jti"`,
      [issuer, jti, expiresAt],
    );
    return rows.length === 1;
  }

  /**
   * `remember` and the revocation of the OIDC sessions named by `sid` and/or `subject`, in ONE
   * statement (atomic by itself: one round trip instead of BEGIN, INSERT, UPDATE, COMMIT). A
   * replayed jti inserts nothing, so nothing is revoked and `fresh` is false; a parallel insert
   * of the same jti waits for the first one as in `remember`.
   */
  async rememberAndRevoke(
    dataSource: DataSource,
    issuer: string,
    jti: string,
    expiresAt: Date,
    match: { sid?: string; subject?: string },
    /** When given, the success entry of the auth log is written by the same statement (`logged`). */
    log?: { ipAddress: string | null; message: [beforeCount: string, afterCount: string] },
  ): Promise<{
    fresh: boolean;
    logged: boolean;
    revoked: { sessionId: string; userId: string; userName: string | null }[];
  }> {
    checkExpiry(expiresAt);
    const bySid = match.sid !== undefined;
    const bySubject = match.subject !== undefined;
    if (!bySid && !bySubject)
      return {
        fresh: await this.remember(dataSource.manager, issuer, jti, expiresAt),
        logged: false,
        revoked: [],
      };
    // One statement text per shape, so each keeps an index-friendly plan (no "$n IS NULL OR").
    const values: unknown[] = [issuer, jti, expiresAt];
    const conditions: string[] = [];
    if (bySid) conditions.push(`idp_sid = $${values.push(match.sid)}`);
    if (bySubject) conditions.push(`idp_subject = $${values.push(match.subject)}`);
    // The message's count is only known in SQL: the text around it comes as two parameters.
    const [before, after] = log?.message ?? [];
    const logged = log
      ? `, logged AS (
         INSERT INTO auth_log (method, user_name, ip_address, success, reason, message)
         SELECT 'backchannel', (SELECT u.user_name FROM revoked r JOIN auth_user u ON u.id = r.user_id LIMIT 1),
                $${values.push(log.ipAddress?.slice(0, 64) ?? null)}::varchar, true, 'ok',
                $${values.push(before)}::text || (SELECT count(*) FROM revoked) || $${values.push(after)}::text
          WHERE EXISTS (SELECT 1 FROM seen)
       )`
      : '';
    const rows = await preparedQuery<{
      fresh: number;
      id: string | null;
      user_id: string | null;
      user_name: string | null;
    }>(
      dataSource,
      `auth_backchannel_revoke_${bySid ? 'sid' : ''}${bySubject ? 'sub' : ''}${log ? '_logged' : ''}`,
      `WITH seen AS (
         INSERT INTO auth_logout_jti (issuer, jti, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING jti
       ), revoked AS (
         UPDATE auth_session SET revoked_at = now()
          WHERE EXISTS (SELECT 1 FROM seen) AND method = 'oidc' AND idp_issuer = $1
            AND revoked_at IS NULL AND ${conditions.join(' AND ')}
         RETURNING id, user_id
       )${logged}
       SELECT (SELECT count(*) FROM seen)::int AS fresh, revoked.id, revoked.user_id, u.user_name
         FROM (SELECT 1) AS one LEFT JOIN revoked ON true LEFT JOIN auth_user u ON u.id = revoked.user_id`,
      values,
    );
    return {
      fresh: (rows[0]?.fresh ?? 0) > 0,
      logged: log !== undefined && (rows[0]?.fresh ?? 0) > 0,
      revoked: rows
        .filter((row) => row.id !== null && row.user_id !== null)
        .map((row) => ({
          sessionId: row.id as string,
          userId: row.user_id as string,
          userName: row.user_name,
        })),
    };
  }

  /** Deletes rows whose token can no longer be accepted anyway; occasional, never fails a request. */
  async purgeExpired(manager: EntityManager, now = Date.now()): Promise<void> {
    if (now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    try {
      await manager
        .getRepository(LogoutJtiEntity)
        .query(`DELETE FROM "auth_logout_jti" WHERE "expires_at" < now()`);
    } catch (error) {
      this.logger.warn(`Could not purge expired logout token ids: ${(error as Error).message}`);
    }
  }
}
