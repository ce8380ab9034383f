import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import type { AuthRequest } from '../common/request-context.js';
import { IS_PUBLIC } from './public.decorator.js';
import { readSessionToken } from './session-cookie.js';
import { SessionsService } from './sessions.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Global guard: every route needs a live session unless marked `@Public()`. */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const presented = readSessionToken(request, this.options);
    if (!presented) throw new AuthError('unauthenticated', 'Sign in first.');
    // Cookies ride along on cross-site requests; a foreign Origin on a state change is refused.
    if (presented.via === 'cookie' && !SAFE_METHODS.has(request.method)) {
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== new URL(this.options.siteOrigin).origin) {
        throw new AuthError('csrf_rejected', 'Cross-site request refused.');
      }
    }
    // A cached session is answered synchronously: no promise on the hot path.
    const cached = this.sessions.authenticateCached(presented.token);
    if (cached) {
      request.auth = cached;
      return true;
    }
    return this.sessions.authenticate(presented.token).then((state) => {
      request.auth = state;
      return true;
    });
  }
}
