import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthError } from '../common/auth-error.js';
import { httpRequestOf, SessionGuard } from './session.guard.js';

/**
 * Requires an admin: 401 without a session, 403 for a non-admin. Resolves the session itself
 * when the global guard is off (a no-op when it already ran).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly sessionGuard: SessionGuard) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = httpRequestOf(context);
    if (request && !request.auth) await this.sessionGuard.canActivate(context);
    if (!request?.auth) throw new AuthError('unauthenticated', 'Sign in first.');
    if (!request.auth.user.isAdmin) throw new AuthError('forbidden', 'Administrators only.');
    return true;
  }
}
