import { createHash } from 'node:crypto';
import type { Request as ExpressRequest } from 'express';
import type { HttpRequest } from '../common/http.js';
import OpenIDConnectStrategy from 'passport-openidconnect';
import { AuthError } from '../common/auth-error.js';
import { isDatabaseUnavailable } from '../common/auth-error.filter.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { groupClaimsRequest } from './oidc-claims.js';

/** What the per-request flow needs to start a login (created and stored beforehand). */
export interface LoginStart {
  state: string;
  nonce: string;
  codeVerifier: string | null;
}

/** Hooks of a callback: the state lookup and the token exchange + verification. */
export interface CallbackHooks<TPending, TResult> {
  consumeState(state: unknown): Promise<TPending>;
  /** Exchanges the code and verifies the ID token BEFORE passport sees any token. */
  exchange(
    code: string,
    pending: TPending,
  ): Promise<{ result: TResult; accessToken: string | undefined; raw: Record<string, unknown> }>;
}

type Done = (error: Error | null, ...rest: unknown[]) => void;

/** The parts of passport-strategy / node-oauth a per-request flow overrides. */
interface FlowOverrides {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(error: Error): void;
  redirect(url: string, status?: number): void;
  pass(): void;
  authorizationParams(options?: unknown): object;
  _stateStore: {
    store(req: HttpRequest, ctx: object, appState: unknown, meta: unknown, done: Done): void;
    verify(req: HttpRequest, state: string, done: Done): void;
  };
  _oauth2: { getOAuthAccessToken(code: string, params: object, done: Done): void };
}

/** passport-openidconnect's own refusals, mapped to our codes (our verifier normally refuses first). */
const FAIL_CODES: Record<string, AuthError['code']> = {
  'ID token not issued by expected OpenID provider.': 'id_token_wrong_issuer',
  'ID token not intended for this relying party.': 'id_token_wrong_audience',
  'ID token missing authorizied party claim.': 'id_token_azp_mismatch',
  'ID token not issued to this relying party.': 'id_token_azp_mismatch',
  'ID token has expired.': 'id_token_expired',
};

function toFailure(challenge: unknown): AuthError {
  const message =
    challenge && typeof challenge === 'object' && 'message' in challenge
      ? String(challenge.message)
      : '';
  const code = FAIL_CODES[message] ?? 'id_token_malformed';
  return new AuthError(code, message || 'The sign-in was refused.');
}

function unwrap(error: unknown): AuthError {
  const inner = (error as { oauthError?: unknown } | null)?.oauthError;
  if (inner instanceof AuthError) return inner;
  if (error instanceof AuthError) return error;
  // A database outage in a hook (state lookup, provisioning) is a temporary 503, not a bad token.
  if (isDatabaseUnavailable(error))
    return new AuthError('service_unavailable', 'The database is unavailable; try again.', {
      cause: error,
    });
  return new AuthError('id_token_malformed', 'The IdP answer could not be processed.', {
    cause: error,
  });
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * passport-openidconnect built from one settings version. It is never registered on the
 * global passport: each request runs on its own `Object.create(strategy)` whose callbacks
 * settle a promise, so concurrent logins never share mutable state.
 */
export class OidcStrategy extends OpenIDConnectStrategy {
  constructor(
    readonly settings: AuthSettings,
    redirectUri: string,
  ) {
    const { oidc } = settings;
    // passport-openidconnect puts "openid" first itself; sending it again would double it.
    const scopes = [...new Set(oidc.scopes.filter((scope) => scope && scope !== 'openid'))];
    super(
      {
        issuer: oidc.issuer,
        authorizationURL: oidc.authorizationEndpoint,
        tokenURL: oidc.tokenEndpoint,
        callbackURL: redirectUri,
        userInfoURL: oidc.userInfoEndpoint ?? '',
        clientID: oidc.clientId,
        clientSecret: oidc.clientSecret,
        scope: scopes,
        // UserInfo is fetched by our own exchange hook, after the ID token is verified.
        skipUserProfile: true,
      },
      (_issuer: string, _profile: unknown, done: (error: null, user: object) => void) =>
        done(null, {}),
    );
  }

  /** Runs the authorization request: answers the IdP URL to redirect to. */
  start(req: HttpRequest, login: LoginStart): Promise<string> {
    const { oidc } = this.settings;
    return new Promise<string>((resolve, reject) => {
      const flow = this.flow(reject);
      flow.authorizationParams = () => {
        const params: Record<string, string> = { nonce: login.nonce };
        if (login.codeVerifier) {
          params.code_challenge = pkceChallenge(login.codeVerifier);
          params.code_challenge_method = 'S256';
        }
        if (oidc.prompt) params.prompt = oidc.prompt;
        if (oidc.maxAge !== null && oidc.maxAge !== undefined) params.max_age = String(oidc.maxAge);
        const claims = groupClaimsRequest(oidc.groupClaim);
        if (claims) params.claims = JSON.stringify(claims);
        return params;
      };
      flow._stateStore = {
        store: (_req, _ctx, _appState, _meta, done) => done(null, login.state),
        verify: (_req, _state, done) =>
          done(new AuthError('state_missing', 'No authorization code in the callback.')),
      };
      flow.redirect = (url: string) => resolve(url);
      flow.success = () => reject(new AuthError('code_missing', 'Unexpected sign-in result.'));
      // passport-openidconnect reads only `query` (the callback URL is absolute): either adapter's request fits.
      (flow as unknown as OpenIDConnectStrategy).authenticate(req as ExpressRequest, {});
    });
  }

  /** Runs the callback: state lookup, token exchange + verification; answers the hook result. */
  callback<TPending, TResult>(
    req: HttpRequest,
    hooks: CallbackHooks<TPending, TResult>,
  ): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      const flow = this.flow(reject);
      let pending: TPending | undefined;
      let result: TResult | undefined;
      flow._stateStore = {
        store: (_req, _ctx, _appState, _meta, done) =>
          done(new AuthError('code_missing', 'The IdP sent no authorization code.')),
        verify: (_req, state, done) => {
          hooks.consumeState(state).then(
            (found) => {
              pending = found;
              // An empty context: nonce and max_age are checked by our verifier, with leeway.
              done(null, {}, undefined);
            },
            (error: Error) => done(error),
          );
        },
      };
      const oauth2 = Object.create(this._oauth2) as FlowOverrides['_oauth2'];
      oauth2.getOAuthAccessToken = (code, _params, done) => {
        if (pending === undefined) {
          done(new AuthError('state_missing', 'The sign-in state was not restored.'));
          return;
        }
        hooks.exchange(code, pending).then(
          (exchanged) => {
            result = exchanged.result;
            done(null, exchanged.accessToken, undefined, exchanged.raw);
          },
          (error: Error) => done(error),
        );
      };
      flow._oauth2 = oauth2;
      flow.success = () => {
        if (result === undefined)
          reject(new AuthError('id_token_malformed', 'The ID token was not verified.'));
        else resolve(result);
      };
      flow.redirect = () =>
        reject(new AuthError('code_missing', 'The IdP sent no authorization code.'));
      // passport-openidconnect reads only `query` (the callback URL is absolute): either adapter's request fits.
      (flow as unknown as OpenIDConnectStrategy).authenticate(req as ExpressRequest, {});
    });
  }

  private flow(reject: (error: AuthError) => void): FlowOverrides {
    const flow = Object.create(this) as FlowOverrides;
    flow.fail = (challenge) => reject(toFailure(challenge));
    flow.error = (error) => reject(unwrap(error));
    flow.pass = () => reject(new AuthError('code_missing', 'The sign-in did not complete.'));
    return flow;
  }
}
