import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AuthError } from '../common/auth-error.js';
import type { AuthRequest } from '../common/request-context.js';
import type { AuthenticatedUser } from '../users/user.view.js';

/** The signed-in user of the request (the session guard must have run). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const request = context.switchToHttp().getRequest<AuthRequest>();
    if (!request.auth) throw new AuthError('unauthenticated', 'Sign in first.');
    return request.auth.user;
  },
);
