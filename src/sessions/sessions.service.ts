import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, type Repository } from 'typeorm';
import type { AuthLogRecord } from '../auth-log/auth-log.service.js';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import { randomToken, sha256Hex } from '../common/crypto.js';
import type { AuthRequestState } from '../common/request-context.js';
import { preparedQuery } from '../database/prepared-query.js';
import type { UserEntity } from '../users/user.entity.js';
import { toAuthenticatedUser } from '../users/user.view.js';
import { type CachedSession, SessionCache } from './session-cache.js';
import { SESSION_CHANGED_CHANNEL } from './session-change.listener.js';
import { SessionEntity, type SessionMethod } from './session.entity.js';

export interface IdpSessionData {
  issuer: string;
  subject: string;
  sid: string | null;
  idToken: string;
  /** Provider signed in through; absent or `default`: stored as null. */
  providerId?: string;
}

export interface NewSession {
  /** The raw token: handed to the client once, stored only as a hash. */
  token: string;
  session: SessionEntity;
}

/** Writes `last_seen_at` at most this often per session, to keep the hot path read-only. */
const LAST_SEEN_INTERVAL_MS = 60_000;

@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    private readonly cache: SessionCache,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  /**
   * Stores a new session; with `log`, its auth-log entry is written by the same statement (one
   * round trip and one commit instead of two; the entry exists exactly when the session does).
   */
  async create(
    userId: string,
    method: SessionMethod,
    idp?: IdpSessionData,
    log?: AuthLogRecord,
  ): Promise<NewSession> {
    const token = randomToken(32);
    const now = Date.now();
    const session = this.sessions.create({
      id: randomUUID(),
      tokenHash: sha256Hex(token),
      userId,
      method,
      idpIssuer: idp?.issuer ?? null,
      idpSubject: idp?.subject ?? null,
      idpSid: idp?.sid ?? null,
      idToken: idp?.idToken ?? null,
      providerId: idp?.providerId && idp.providerId !== 'default' ? idp.providerId : null,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt: new Date(now + this.options.sessionTtlSeconds * 1000),
      revokedAt: null,
    });
    const insert = `INSERT INTO auth_session (id, token_hash, user_id, method, idp_issuer,
         idp_subject, idp_sid, id_token, created_at, last_seen_at, expires_at, provider_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`;
    const values: unknown[] = [
      session.id,
      session.tokenHash,
      session.userId,
      session.method,
      session.idpIssuer,
      session.idpSubject,
      session.idpSid,
      session.idToken,
      session.createdAt,
      session.lastSeenAt,
      session.expiresAt,
      session.providerId,
    ];
    // One prepared statement (save() would wrap it in a transaction of three round trips).
    if (!log) {
      await preparedQuery(this.sessions.manager.connection, 'auth_session_insert', insert, values);
      return { token, session };
    }
    values.push(
      log.method,
      log.userName?.slice(0, 255) ?? null,
      log.ipAddress?.slice(0, 64) ?? null,
      log.success,
      log.reason.slice(0, 64),
      log.message?.slice(0, 2000) ?? null,
    );
    await preparedQuery(
      this.sessions.manager.connection,
      'auth_session_insert_logged',
      `WITH session AS (${insert})
       INSERT INTO auth_log (method, user_name, ip_address, success, reason, message)
       VALUES ($13, $14, $15, $16, $17, $18)`,
      values,
    );
    return { token, session };
  }

  /**
   * Resolves a raw token to its live session and active user, or throws 401. A cache hit needs
   * no database round trip; a miss reads session and user in one query.
   */
  async authenticate(token: string): Promise<AuthRequestState> {
    const cached = this.authenticateCached(token);
    if (cached) return cached;
    const tokenHash = sha256Hex(token);
    const now = Date.now();
    const ticket = this.cache.ticket();
    const session = await this.findLiveCandidate(tokenHash);
    if (!session) throw new AuthError('unauthenticated', 'Sign in first.');
    if (session.revokedAt)
      throw new AuthError('session_revoked', 'The session has ended; sign in again.');
    if (session.expiresAt.getTime() <= now) {
      throw new AuthError('session_expired', 'The session has expired; sign in again.');
    }
    const user = session.user;
    if (!user || !user.isActive)
      throw new AuthError('session_revoked', 'The session has ended; sign in again.');
    if (now - session.lastSeenAt.getTime() > LAST_SEEN_INTERVAL_MS) {
      await this.sessions.update({ id: session.id }, { lastSeenAt: new Date(now) });
    }
    const resolved: CachedSession = {
      user: toAuthenticatedUser(user),
      session: {
        id: session.id,
        method: session.method,
        userId: session.userId,
        idpIssuer: session.idpIssuer,
        idpSubject: session.idpSubject,
        idpSid: session.idpSid,
        expiresAt: session.expiresAt,
      },
    };
    this.cache.set(tokenHash, resolved, ticket, now);
    return { ...resolved, token };
  }

  /**
   * The cache-hit half of `authenticate`, synchronous (the guard answers without a promise):
   * the session, undefined on a miss, or throws 401 for a malformed or expired token.
   */
  authenticateCached(token: string): AuthRequestState | undefined {
    if (!token || token.length > 512) throw new AuthError('unauthenticated', 'Sign in first.');
    const now = Date.now();
    const cached = this.cache.get(sha256Hex(token), now);
    if (!cached) return undefined;
    if (cached.session.expiresAt.getTime() <= now)
      throw new AuthError('session_expired', 'The session has expired; sign in again.');
    return { ...cached, token };
  }

  /**
   * Session and user of a token hash in one prepared statement (the cache-miss path of every
   * request): one index lookup, no query building, no ID token fetched.
   */
  private async findLiveCandidate(tokenHash: string): Promise<
    | (Omit<SessionEntity, 'tokenHash' | 'idToken' | 'createdAt' | 'user' | 'providerId'> & {
        user: UserEntity | null;
      })
    | undefined
  > {
    const rows = await preparedQuery<Record<string, unknown>>(
      this.sessions.manager.connection,
      'auth_session_by_token_hash',
      `SELECT s.id, s.method, s.user_id, s.idp_issuer, s.idp_subject, s.idp_sid, s.expires_at,
              s.revoked_at, s.last_seen_at, u.user_name, u.is_admin, u.is_active, u.email_address,
              u.phone_number, u.first_name, u.middle_name, u.last_name
         FROM auth_session s LEFT JOIN auth_user u ON u.id = s.user_id
        WHERE s.token_hash = $1`,
      [tokenHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    const user =
      row.user_name === null
        ? null
        : ({
            id: row.user_id,
            userName: row.user_name,
            isAdmin: row.is_admin,
            isActive: row.is_active,
            emailAddress: row.email_address,
            phoneNumber: row.phone_number,
            firstName: row.first_name,
            middleName: row.middle_name,
            lastName: row.last_name,
          } as UserEntity);
    return {
      id: row.id as string,
      method: row.method as SessionMethod,
      userId: row.user_id as string,
      idpIssuer: row.idp_issuer as string | null,
      idpSubject: row.idp_subject as string | null,
      idpSid: row.idp_sid as string | null,
      expiresAt: row.expires_at as Date,
      revokedAt: row.revoked_at as Date | null,
      lastSeenAt: row.last_seen_at as Date,
      user,
    };
  }

  /** The stored session (with its ID token), for logout. */
  async findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOne({ where: { id } });
  }

  /** Revokes one session; true when it was live. Other instances learn it through the database trigger. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.sessions.update(
      { id, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    this.cache.dropSession(id);
    return (result.affected ?? 0) > 0;
  }

  /** Revokes every live session of a user (deactivation, password change). */
  async revokeAllOfUser(userId: string): Promise<number> {
    const result = await this.sessions.update(
      { userId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    this.cache.dropUser(userId);
    return result.affected ?? 0;
  }

  /**
   * Revokes the live OIDC sessions of an IdP session (`sid` given) or of an IdP subject (only
   * `subject`); answers the revoked sessions' user ids. Password sessions are never touched.
   */
  async revokeIdpSessions(
    issuer: string,
    match: { sid?: string; subject?: string },
    manager: EntityManager = this.sessions.manager,
  ): Promise<{ sessionId: string; userId: string }[]> {
    if (match.sid === undefined && match.subject === undefined) return [];
    const query = manager
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: () => 'now()' })
      .where('method = :method AND idp_issuer = :issuer AND revoked_at IS NULL', {
        method: 'oidc',
        issuer,
      });
    if (match.sid !== undefined) query.andWhere('idp_sid = :sid', { sid: match.sid });
    if (match.subject !== undefined)
      query.andWhere('idp_subject = :subject', { subject: match.subject });
    const result = await query.returning(['id', 'user_id']).execute();
    const rows = (result.raw ?? []) as { id: string; user_id: string }[];
    for (const row of rows) this.cache.dropSession(row.id);
    return rows.map((row) => ({ sessionId: row.id, userId: row.user_id }));
  }

  /**
   * Drops a user's cached sessions on every instance after a change to the user (profile,
   * admin flag): the database trigger covers updates through TypeORM; this also covers
   * changes the trigger cannot see (e.g. made outside the user row).
   */
  async invalidateUser(userId: string): Promise<void> {
    this.cache.dropUser(userId);
    await this.sessions.query(`SELECT pg_notify($1, $2)`, [SESSION_CHANGED_CHANNEL, `u:${userId}`]);
  }
}
