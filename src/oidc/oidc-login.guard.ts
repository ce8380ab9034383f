import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import passport from 'passport';
import { AuthError } from '../common/auth-error.js';
import { toAuthError } from '../common/auth-error.filter.js';
import type { HttpRequest, HttpResponse } from '../common/http.js';
import {
  type OidcAuthenticateOptions,
  type OidcLoginStep,
  OidcPassportStrategy,
} from './oidc-passport.strategy.js';

/** Property of the request the guard puts the login step on (never `user`). */
export const OIDC_STEP_PROPERTY = 'oidcLoginStep';

/** Metadata naming the step a route runs (`start` unless set). */
export const OIDC_STEP = 'auth:oidc-step';

/** Marks the callback route. */
export const OidcCallbackStep = (): MethodDecorator => SetMetadata(OIDC_STEP, 'callback');

/**
 * Runs the `auth-oidc` Passport strategy for the login and callback routes. It hands passport
 * this module's strategy instance, not its name: the name is one global slot, and the last app
 * created in a process (tests, several apps) would otherwise serve every app's logins.
 */
@Injectable()
export class OidcLoginGuard implements CanActivate {
  constructor(private readonly strategy: OidcPassportStrategy) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest & { [OIDC_STEP_PROPERTY]?: OidcLoginStep }>();
    const response = http.getResponse<HttpResponse>();
    const step: unknown = Reflect.getMetadata(OIDC_STEP, context.getHandler());
    const options: OidcAuthenticateOptions & { session: false } = {
      session: false,
      response,
      step: step === 'callback' ? 'callback' : 'start',
    };
    return new Promise<boolean>((resolve, reject) => {
      const middleware = passport.authenticate(
        this.strategy,
        options,
        (error: unknown, result: OidcLoginStep | false | undefined) => {
          if (error) return reject(toAuthError(error));
          if (!result)
            return reject(new AuthError('unauthenticated', 'The sign-in did not complete.'));
          request[OIDC_STEP_PROPERTY] = result;
          resolve(true);
        },
      ) as (req: unknown, res: unknown, next: (error?: unknown) => void) => void;
      middleware(request, response, (error?: unknown) =>
        error ? reject(toAuthError(error)) : resolve(true),
      );
    });
  }
}
