import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import type { HttpRequest } from '../common/http.js';
import type { AuthRequest, AuthRequestState } from '../common/request-context.js';
import { type PresentedToken, readSessionToken } from './session-cookie.js';
import { refuseCrossSite } from './session.guard.js';
import { SessionsService } from './sessions.service.js';

/** Name of the module's session strategy: `AuthGuard(['auth-session', 'jwt'])`. */
export const SESSION_STRATEGY = 'auth-session';

type VerifySession = (
  request: HttpRequest,
  presented: PresentedToken,
  done: (error: Error | null, user?: unknown) => void,
) => void;

/** A passport strategy reading the module's session token (Bearer first, else the cookie). */
class SessionTokenStrategy extends passport.Strategy {
  constructor(
    private readonly read: (request: HttpRequest) => PresentedToken | undefined,
    private readonly verify: VerifySession,
  ) {
    super();
  }

  override authenticate(request: HttpRequest): void {
    const presented = this.read(request);
    // No token: another strategy of the list may still succeed.
    if (!presented) return this.fail({ message: 'unauthenticated' }, 401);
    this.verify(request, presented, (error, user) => {
      // An unknown, expired or revoked session is a plain failure (the next strategy is tried).
      if (error instanceof AuthError && error.getStatus() === 401)
        return this.fail({ message: error.code }, 401);
      if (error) return this.error(error);
      return this.success(user as Express.User);
    });
  }
}

/**
 * The module's sessions as a Passport strategy, for hosts composing strategies. Same fast
 * check as `SessionGuard` (cache first); sets `req.auth` and answers the user (`req.user`).
 */
@Injectable()
export class SessionStrategy extends PassportStrategy(SessionTokenStrategy, SESSION_STRATEGY) {
  private readonly origin: string;

  constructor(
    private readonly sessions: SessionsService,
    @InjectAuthOptions() options: ResolvedAuthOptions,
  ) {
    super((request: HttpRequest) => readSessionToken(request, options));
    this.origin = new URL(options.siteOrigin).origin;
  }

  async validate(request: AuthRequest, presented: PresentedToken): Promise<unknown> {
    refuseCrossSite(request, presented, this.origin);
    const state: AuthRequestState =
      this.sessions.authenticateCached(presented.token) ??
      (await this.sessions.authenticate(presented.token));
    request.auth = state;
    return state.user;
  }
}
