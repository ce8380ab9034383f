import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthLogService } from '../auth-log/auth-log.service.js';
import { AuthError, isAuthError } from '../common/auth-error.js';
import type { LogoutTokenClaims } from '../oidc/logout-token.claims.js';
import { LoginThrottleService } from '../login/login-throttle.service.js';
import { LogoutTokenVerifier } from '../oidc/logout-token.verifier.js';
import { SessionCache } from '../sessions/session-cache.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import { LogoutJtiService } from './logout-jti.service.js';
import { ProviderSettingsService } from '../providers/provider-settings.service.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { unverifiedIssuer } from '../oidc/unverified-issuer.js';

/** OpenID Connect Back-Channel Logout 1.0: verify the logout token, then revoke the sessions it names. */
@Injectable()
export class BackchannelLogoutService {
  private readonly logger = new Logger('BackchannelLogout');

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: AuthSettingsService,
    private readonly verifier: LogoutTokenVerifier,
    private readonly jtis: LogoutJtiService,
    private readonly authLog: AuthLogService,
    private readonly cache: SessionCache,
    private readonly throttle: LoginThrottleService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
    private readonly providers: ProviderSettingsService,
  ) {}

  /** Revokes the sessions named by a valid token (none matching is fine); throws AuthError otherwise. */
  async handle(token: string, ipAddress: string): Promise<number> {
    let claims: LogoutTokenClaims | undefined;
    try {
      // Online guessing of an HS* secret or a flood of bad tokens stops here, before any crypto.
      this.throttle.checkAddress('backchannel', ipAddress);
      const settings = await this.settingsFor(token);
      if (settings.method !== 'oidc' || !settings.oidc.issuer || !settings.oidc.clientId)
        throw new AuthError('logout_token_invalid', 'OpenID Connect sign-in is not enabled.');
      claims = await this.verifier.verify(token, settings);
      const accepted = claims;
      // Kept until the token could no longer pass the exp check anywhere.
      const keepUntil = new Date((accepted.exp + this.options.clockLeewaySeconds) * 1000);
      const outcome = await this.jtis.rememberAndRevoke(
        this.dataSource,
        accepted.iss,
        accepted.jti,
        keepUntil,
        { sid: accepted.sid, subject: accepted.sub },
        { ipAddress, message: this.describe(accepted) },
      );
      if (!outcome.fresh)
        throw new AuthError('logout_token_replayed', 'The logout token was already used (jti).');
      const revoked = outcome.revoked;
      // This instance refuses them at once; the others learn it from the database trigger.
      for (const row of revoked) this.cache.dropSession(row.sessionId);
      void this.jtis.purgeExpired(this.dataSource.manager);
      // The success entry of the auth log is written by the revocation statement.
      if (!outcome.logged)
        await this.record(
          true,
          'ok',
          this.describe(accepted).join(String(revoked.length)),
          ipAddress,
          revoked[0]?.userName ?? null,
        );
      return revoked.length;
    } catch (error) {
      const refusal = isAuthError(error)
        ? error
        : new AuthError('logout_token_invalid', 'The logout could not be processed.', {
            cause: error,
          });
      if (!isAuthError(error))
        this.logger.error(`Back-channel logout failed: ${(error as Error)?.message ?? error}`);
      await this.record(false, refusal.code, refusal.message, ipAddress);
      await this.throttle
        .countRefusal(
          'backchannel',
          ipAddress,
          this.options.throttle.backchannelPerAddress,
          refusal.code,
        )
        .catch((counting: unknown) =>
          this.logger.warn(`Counting refusals failed: ${String(counting)}`),
        );
      throw refusal;
    }
  }

  /**
   * Whose keys and checks verify this token: the enabled provider named by its (unverified)
   * `iss` and `aud`; `default` otherwise, whose checks then refuse an unknown issuer as before.
   */
  private async settingsFor(token: string): Promise<AuthSettings> {
    const site = await this.settings.get();
    // Only `default` can verify it: no need to decode the token twice.
    if (this.providers.knownNoneEnabled()) return site;
    const named = unverifiedIssuer(token);
    if (!named) return site;
    const defaultFits = site.oidc.issuer === named.iss && named.aud.includes(site.oidc.clientId);
    if (defaultFits) return site;
    const provider = await this.providers.byIssuer(named.iss, named.aud);
    if (provider?.enabled) return provider.settings;
    return site;
  }

  /** The success message around its session count (the count is filled in by SQL). */
  private describe(claims: LogoutTokenClaims): [string, string] {
    const by = claims.sid !== undefined ? 'IdP session (sid)' : 'IdP subject (sub)';
    return [`Back-channel logout by ${by}: `, ' session(s) revoked.'];
  }

  private async record(
    success: boolean,
    reason: string,
    message: string,
    ipAddress: string,
    userName: string | null = null,
  ): Promise<void> {
    // The user name comes with the revocation statement: no extra lookup per logout.
    await this.authLog.record({
      method: 'backchannel',
      userName,
      ipAddress,
      success,
      reason,
      message,
    });
  }
}
