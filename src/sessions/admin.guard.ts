import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { AuthError } from '../common/auth-error.js';
import type { AuthRequest } from '../common/request-context.js';

/** Requires an admin; runs after the session guard (401 without a session, 403 for a non-admin). */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthRequest>();
    if (!request.auth) throw new AuthError('unauthenticated', 'Sign in first.');
    if (!request.auth.user.isAdmin) throw new AuthError('forbidden', 'Administrators only.');
    return true;
  }
}
