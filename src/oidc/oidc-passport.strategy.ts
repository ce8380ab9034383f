import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import type { HttpRequest, HttpResponse } from '../common/http.js';
import { TestSignInService } from '../test-sign-in/test-sign-in.service.js';
import { isTestSignInState } from '../test-sign-in/test-sign-in-state.js';
import { OidcLoginService } from './oidc-login.service.js';
import { AuthError } from '../common/auth-error.js';
import { DEFAULT_PROVIDER_ID, PROVIDER_ID } from '../providers/provider-id.js';

/** The provider of `/auth/oidc/:providerId/...` (Express and Fastify both set `params`); `default` else. */
function providerOf(request: HttpRequest, step: 'start' | 'callback'): string {
  const param = (request as { params?: Record<string, unknown> }).params?.providerId;
  if (param === undefined) return DEFAULT_PROVIDER_ID;
  if (typeof param === 'string' && PROVIDER_ID.test(param)) return param;
  // A callback names its provider for the log only: an unknown one is refused (and logged) there.
  if (step === 'callback') return 'unknown-provider';
  throw new AuthError('not_found', 'No such identity provider.');
}

/** Name of the module's OIDC login strategy (used by `OidcLoginGuard`). */
export const OIDC_STRATEGY = 'auth-oidc';

/** What the OIDC strategy answers: where to send the browser next. */
export interface OidcLoginStep {
  /** `start`: the IdP authorization URL; `callback`: the local path to return to. */
  step: 'start' | 'callback';
  redirectTo: string;
}

/** Passport gives strategies no response: the guard passes it, and the route's step, in the options. */
export interface OidcAuthenticateOptions {
  response: HttpResponse;
  step: 'start' | 'callback';
}

type RunStep = (request: HttpRequest, options: OidcAuthenticateOptions) => Promise<OidcLoginStep>;

class OidcFlowStrategy extends passport.Strategy {
  constructor(
    private readonly run: RunStep,
    private readonly verify: (
      step: OidcLoginStep,
      done: (error: Error | null, user?: unknown) => void,
    ) => void,
  ) {
    super();
  }

  override authenticate(request: HttpRequest, options?: OidcAuthenticateOptions): void {
    if (!options?.response) {
      this.error(new Error('auth-oidc runs through OidcLoginGuard (it needs the response).'));
      return;
    }
    this.run(request, options).then(
      (step) =>
        this.verify(step, (error, result) =>
          error ? this.error(error) : this.success(result as Express.User),
        ),
      (error: Error) => this.error(error),
    );
  }
}

/**
 * The OIDC login as a Passport strategy: the login route starts it, the callback route finishes it. Passport creates one object per request; the protocol work runs in
 * `OidcLoginService` on a per-request `Object.create` of the settings' passport-openidconnect
 * strategy, so nothing per-settings is registered globally and concurrent logins share no state.
 * It answers the next redirect instead of writing it, so it works on Express and Fastify alike.
 */
@Injectable()
export class OidcPassportStrategy extends PassportStrategy(OidcFlowStrategy, OIDC_STRATEGY) {
  constructor(login: OidcLoginService, testSignIn: TestSignInService) {
    super(async (request: HttpRequest, { response, step }: OidcAuthenticateOptions) => {
      const providerId = providerOf(request, step);
      if (step === 'start')
        return { step, redirectTo: await login.start(request, response, providerId) };
      // An admin's test sign-in ends in its report, never in a session.
      if (isTestSignInState(request.query?.state))
        return { step, redirectTo: await testSignIn.finish(request, providerId) };
      return { step, redirectTo: await login.finish(request, response, providerId) };
    });
  }

  validate(step: OidcLoginStep): OidcLoginStep {
    return step;
  }
}
