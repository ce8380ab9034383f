import { Injectable, Logger } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { type AuthLogRecord, AuthLogService } from '../auth-log/auth-log.service.js';
import { AuthError } from '../common/auth-error.js';
import { toAuthError } from '../common/auth-error.filter.js';
import { randomToken } from '../common/crypto.js';
import { type HttpRequest, type HttpResponse, readCookie, setCookie } from '../common/http.js';
import { clientAddress } from '../common/request-context.js';
import { safeReturnTo } from '../common/url.js';
import { AuthEvents } from '../events/auth-events.js';
import { LoginThrottleService } from '../login/login-throttle.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { setSessionCookie } from '../sessions/session-cookie.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import { toAuthenticatedUser } from '../users/user.view.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { DEFAULT_PROVIDER_ID, isDefaultProvider } from '../providers/provider-id.js';
import { ProviderSettingsService } from '../providers/provider-settings.service.js';
import { IdTokenVerifier } from './id-token.verifier.js';
import { LOGIN_STATE_TTL_MS, LoginStateStore, type PendingLogin } from './login-state.store.js';
import type { OidcClaims } from './oidc-claims.js';
import {
  OidcProvisioningService,
  userNameFromClaims,
  warningsMessage,
} from './oidc-provisioning.service.js';
import { OidcStrategyCache } from './oidc-strategy.cache.js';
import { OidcTokenClient } from './oidc-token.client.js';

interface VerifiedLogin {
  pending: PendingLogin;
  idToken: string;
  claims: OidcClaims & { iss: string; sub: string };
}

/** A browser-binding cookie value we issued looks like this (base64url of 32 bytes). */
const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/;
/** Pending logins (tabs) one browser can finish at once. */
const MAX_PENDING_BINDINGS = 5;

/**
 * RFC 9207: the `iss` authorization-response parameter must equal the configured issuer when
 * present, and must be present when the IdP says it always sends it.
 */
export function checkResponseIssuer(iss: unknown, settings: AuthSettings): void {
  if (iss === undefined) {
    if (settings.oidc.authorizationResponseIssParameterSupported)
      throw new AuthError(
        'iss_mismatch',
        'The IdP sent no "iss" in the authorization response although it advertises it (RFC 9207).',
      );
    return;
  }
  if (typeof iss !== 'string' || iss !== settings.oidc.issuer)
    throw new AuthError(
      'iss_mismatch',
      'The authorization response names another issuer ("iss", RFC 9207): possible IdP mix-up.',
    );
}

/**
 * The authorization response's own checks, in the order a real sign-in and a test sign-in share:
 * the RFC 9207 issuer first (error responses included), then an IdP error, then the code.
 */
export function checkAuthorizationResponse(
  query: Record<string, unknown>,
  settings: AuthSettings,
): void {
  checkResponseIssuer(query.iss, settings);
  if (query.error !== undefined) {
    const word =
      typeof query.error === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(query.error)
        ? query.error
        : 'unknown';
    throw new AuthError('idp_error', `The IdP refused the sign-in (error ${word}).`);
  }
  if (typeof query.code !== 'string' || query.code.length === 0 || query.code.length > 4096)
    throw new AuthError('code_missing', 'The IdP sent no authorization code.');
}

/**
 * An unsigned stand-in carrying only what passport-openidconnect reads (iss, sub, aud, exp,
 * iat) of claims our verifier already accepted; it never leaves the process.
 */
export function passportStandIn(
  claims: { iss: string; sub: string },
  settings: AuthSettings,
): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = {
    iss: claims.iss,
    sub: claims.sub,
    aud: settings.oidc.clientId,
    iat: now,
    exp: now + 300,
  };
  return `${part({ alg: 'none' })}.${part(payload)}.`;
}

/** The OIDC login flow: authorization redirect, callback, provisioning, session. */
@Injectable()
export class OidcLoginService {
  private readonly logger = new Logger('OidcLogin');

  constructor(
    private readonly settingsService: AuthSettingsService,
    private readonly strategies: OidcStrategyCache,
    private readonly states: LoginStateStore,
    private readonly tokens: OidcTokenClient,
    private readonly idTokens: IdTokenVerifier,
    private readonly provisioning: OidcProvisioningService,
    private readonly sessions: SessionsService,
    private readonly authLog: AuthLogService,
    private readonly throttle: LoginThrottleService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
    private readonly events: AuthEvents,
    private readonly providers: ProviderSettingsService,
  ) {}

  /** Answers the IdP authorization URL, after storing the pending login. */
  async start(
    request: HttpRequest,
    response: HttpResponse,
    providerId: string = DEFAULT_PROVIDER_ID,
  ): Promise<string> {
    const settings = await this.enabledSettings(providerId);
    const strategy = this.strategies.for(settings);
    const browserId = this.browserId(request, response);
    const login = await this.states.create({
      browserId,
      returnTo: safeReturnTo(request.query?.returnTo),
      settingsVersion: settings.version,
      maxAge: settings.oidc.maxAge,
      pkce: settings.oidc.pkce,
      providerId,
    });
    return strategy.start(request, login);
  }

  /** Completes the login; answers where to send the browser. Throws AuthError on refusal (logged). */
  async finish(
    request: HttpRequest,
    response: HttpResponse,
    providerId: string = DEFAULT_PROVIDER_ID,
  ): Promise<string> {
    let userName: string | null = null;
    try {
      const settings = await this.enabledSettings(providerId);
      this.throttle.checkAddress('oidc', clientAddress(request));
      const query = request.query ?? {};
      // RFC 9207 before anything else, error responses included: a mix-up attacker's IdP is named here.
      checkAuthorizationResponse(query, settings);
      const strategy = this.strategies.for(settings);
      const verified = await strategy.callback<PendingLogin, VerifiedLogin>(request, {
        consumeState: (state) => this.consumeState(state, request, settings),
        exchange: (code, pending) => this.exchange(code, pending, settings),
      });
      userName = this.userNameOrNull(verified.claims, settings);
      const { user, created, plan } = await this.provisioning.provision(verified.claims, settings);
      // A warning (e.g. groups_overage) is the success entry's reason, so admins can filter on it.
      const entry: AuthLogRecord = {
        method: 'oidc',
        userName: user.userName,
        ipAddress: clientAddress(request),
        success: true,
        reason: plan.warnings[0] ?? 'ok',
        message: warningsMessage(plan, verified.claims),
      };
      // The success entry of the auth log is written by the session's own statement.
      const { token, session } = await this.sessions.create(
        user.id,
        'oidc',
        {
          issuer: verified.claims.iss,
          subject: verified.claims.sub,
          sid: typeof verified.claims.sid === 'string' ? verified.claims.sid : null,
          idToken: verified.idToken,
          providerId: settings.providerId,
        },
        entry,
      );
      this.authLog.announce(entry);
      setSessionCookie(response, this.options, token, session.expiresAt);
      const signedIn = toAuthenticatedUser(user);
      await this.events.signedIn({
        user: signedIn,
        method: 'oidc',
        claims: verified.claims,
        created,
      });
      return verified.pending.returnTo;
    } catch (thrown) {
      const error = toAuthError(thrown);
      if (error.code === 'internal_error')
        this.logger.error(`OIDC callback failed: ${String(thrown)}`, (thrown as Error)?.stack);
      else this.logger.warn(`OIDC sign-in refused: ${error.code}: ${error.message}`);
      await this.record(request, userName, false, error.code, error.message);
      await this.throttle
        .countRefusal(
          'oidc',
          clientAddress(request),
          this.options.throttle.callbackPerAddress,
          error.code,
        )
        .catch((counting: unknown) =>
          this.logger.warn(`Counting refusals failed: ${String(counting)}`),
        );
      throw error;
    }
  }

  private async enabledSettings(providerId: string): Promise<AuthSettings> {
    if (isDefaultProvider(providerId)) {
      const settings = await this.settingsService.get();
      if (settings.method !== 'oidc')
        throw new AuthError('oidc_not_enabled', 'OIDC sign-in is not enabled on this site.');
      return settings;
    }
    const provider = await this.providers.get(providerId);
    if (!provider)
      throw new AuthError('not_found', `No identity provider "${providerId.slice(0, 63)}".`);
    if (provider.settings.method !== 'oidc' || !provider.enabled)
      throw new AuthError(
        'oidc_not_enabled',
        `Sign-in through "${provider.label}" is not enabled on this site.`,
      );
    return provider.settings;
  }

  private async consumeState(
    state: unknown,
    request: HttpRequest,
    settings: AuthSettings,
  ): Promise<PendingLogin> {
    const pending = await this.states.consume(state, this.bindings(request));
    // Mix-up defence: a login started with one provider never finishes at another's callback.
    if (pending.providerId !== (settings.providerId ?? DEFAULT_PROVIDER_ID))
      throw new AuthError(
        'state_mismatch',
        'The sign-in was started with another identity provider; start it again.',
      );
    // A login started under other settings (another IdP, client or checks) is not finished.
    if (pending.settingsVersion !== settings.version)
      throw new AuthError(
        'state_expired',
        'The sign-in settings changed while this sign-in was pending; start it again.',
      );
    return pending;
  }

  private async exchange(
    code: string,
    pending: PendingLogin,
    settings: AuthSettings,
  ): Promise<{
    result: VerifiedLogin;
    accessToken: string | undefined;
    raw: Record<string, unknown>;
  }> {
    const tokens = await this.tokens.exchange(
      code,
      pending.codeVerifier,
      this.strategies.redirectUri(settings),
      settings,
    );
    const { claims: idClaims } = await this.idTokens.verify(tokens.idToken, settings, {
      nonce: pending.nonce,
      maxAge: pending.maxAge,
      startedAt: pending.createdAt,
    });
    const userInfo = await this.tokens.userInfo(tokens.accessToken, idClaims.sub, settings);
    // ID-token claims win over UserInfo claims.
    const claims = { ...userInfo, ...idClaims };
    return {
      result: { pending, idToken: tokens.idToken, claims },
      accessToken: tokens.accessToken,
      // passport re-checks exp without leeway: it gets a stand-in of the claims already verified.
      raw: { id_token: passportStandIn(idClaims, settings) },
    };
  }

  /**
   * A fresh binding per login, kept beside the bindings of the browser's other pending logins
   * (tabs): a value planted in the cookie is never reused for the victim's own login, so its
   * planter cannot finish that login with the victim's code.
   */
  private browserId(request: HttpRequest, response: HttpResponse): string {
    const browserId = randomToken(32);
    const kept = [browserId, ...this.bindings(request)].slice(0, MAX_PENDING_BINDINGS);
    setCookie(response, this.options.stateCookieName, kept.join('.'), {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.options.secureCookies,
      // Path=/ because a __Host- cookie (the default name on https) must have it.
      path: '/',
      maxAge: LOGIN_STATE_TTL_MS,
    });
    return browserId;
  }

  /** The login bindings the browser holds (newest first), well-formed ones only. */
  private bindings(request: HttpRequest): string[] {
    const value = readCookie(request, this.options.stateCookieName);
    if (typeof value !== 'string' || value.length > 64 * MAX_PENDING_BINDINGS) return [];
    return value.split('.').filter((part) => BROWSER_ID.test(part));
  }

  private userNameOrNull(claims: OidcClaims, settings: AuthSettings): string | null {
    try {
      return userNameFromClaims(claims, settings.oidc.usernameClaim);
    } catch {
      return null;
    }
  }

  private async record(
    request: HttpRequest,
    userName: string | null,
    success: boolean,
    reason: string,
    message: string | null,
  ): Promise<void> {
    try {
      await this.authLog.record({
        method: 'oidc',
        userName,
        ipAddress: clientAddress(request),
        success,
        reason,
        message,
      });
    } catch (error) {
      this.logger.error(`Auth log write failed: ${String(error)}`);
    }
  }
}
