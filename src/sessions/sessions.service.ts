import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import { randomToken, sha256Hex } from '../common/crypto.js';
import type { AuthRequestState } from '../common/request-context.js';
import { UserEntity } from '../users/user.entity.js';
import { toAuthenticatedUser } from '../users/user.view.js';
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
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
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

  /** Resolves a raw token to its live session and active user, or throws 401. */
  async authenticate(token: string): Promise<AuthRequestState> {
    if (!token || token.length > 512) throw new AuthError('unauthenticated', 'Sign in first.');
    const session = await this.sessions.findOne({ where: { tokenHash: sha256Hex(token) } });
    if (!session) throw new AuthError('unauthenticated', 'Sign in first.');
    if (session.revokedAt)
      throw new AuthError('session_revoked', 'The session has ended; sign in again.');
    if (session.expiresAt.getTime() <= Date.now()) {
      throw new AuthError('session_expired', 'The session has expired; sign in again.');
    }
    const user = await this.users.findOne({ where: { id: session.userId } });
    if (!user || !user.isActive)
      throw new AuthError('session_revoked', 'The session has ended; sign in again.');
    if (Date.now() - session.lastSeenAt.getTime() > LAST_SEEN_INTERVAL_MS) {
      await this.sessions.update({ id: session.id }, { lastSeenAt: new Date() });
    }
    return {
      token,
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
  }

  /** The stored session (with its ID token), for logout. */
  async findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOne({ where: { id } });
  }

  /** Revokes one session; true when it was live. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.sessions.update(
      { id, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Revokes every live session of a user (deactivation, password change). */
  async revokeAllOfUser(userId: string): Promise<number> {
    const result = await this.sessions.update(
      { userId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    return result.affected ?? 0;
  }
}
