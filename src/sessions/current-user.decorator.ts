import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AuthError } from '../common/auth-error.js';
import type { AuthenticatedUser } from '../users/user.view.js';
import { httpRequestOf } from './session.guard.js';

/** The signed-in user of the request (the session guard must have run). */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const auth = httpRequestOf(context)?.auth;
    if (!auth) throw new AuthError('unauthenticated', 'Sign in first.');
    return auth.user;
  },
);
