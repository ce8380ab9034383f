import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, IsNull, type Repository } from 'typeorm';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import { randomToken, sha256Hex } from '../common/crypto.js';
import type { AuthRequestState } from '../common/request-context.js';
import { toAuthenticatedUser } from '../users/user.view.js';
import { type CachedSession, SessionCache } from './session-cache.js';
import { SESSION_CHANGED_CHANNEL } from './session-change.listener.js';
import { SessionEntity, type SessionMethod } from './session.entity.js';

export interface IdpSessionData {
  issuer: string;
  subject: string;
  sid: string | null;
  idToken: string;
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

  async create(userId: string, method: SessionMethod, idp?: IdpSessionData): Promise<NewSession> {
    const token = randomToken(32);
    const now = Date.now();
    const session = await this.sessions.save(
      this.sessions.create({
        tokenHash: sha256Hex(token),
        userId,
        method,
        idpIssuer: idp?.issuer ?? null,
        idpSubject: idp?.subject ?? null,
        idpSid: idp?.sid ?? null,
        idToken: idp?.idToken ?? null,
        createdAt: new Date(now),
        lastSeenAt: new Date(now),
        expiresAt: new Date(now + this.options.sessionTtlSeconds * 1000),
        revokedAt: null,
      }),
    );
    return { token, session };
  }

  /**
   * Resolves a raw token to its live session and active user, or throws 401. A cache hit needs
   * no database round trip; a miss reads session and user in one query.
   */
  async authenticate(token: string): Promise<AuthRequestState> {
    if (!token || token.length > 512) throw new AuthError('unauthenticated', 'Sign in first.');
    const tokenHash = sha256Hex(token);
    const now = Date.now();
    const cached = this.cache.get(tokenHash, now);
    if (cached) {
      if (cached.session.expiresAt.getTime() <= now) {
        throw new AuthError('session_expired', 'The session has expired; sign in again.');
      }
      return { ...cached, token };
    }
    const ticket = this.cache.ticket();
    const session = await this.sessions.findOne({
      where: { tokenHash },
      relations: { user: true },
    });
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
