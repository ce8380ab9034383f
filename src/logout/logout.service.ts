import { Injectable } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthLogService } from '../auth-log/auth-log.service.js';
import type { AuthRequestState } from '../common/request-context.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import { buildLogoutRedirect } from './logout-redirect.js';
import { ProviderSettingsService } from '../providers/provider-settings.service.js';
import { isDefaultProvider } from '../providers/provider-id.js';

/** Ends the current session (RP-initiated logout). */
@Injectable()
export class LogoutService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly settings: AuthSettingsService,
    private readonly authLog: AuthLogService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
    private readonly providers: ProviderSettingsService,
  ) {}

  /** Revokes the session and answers where to end the IdP session too (null when nothing to do). */
  async logout(auth: AuthRequestState, ipAddress: string): Promise<{ redirectUrl: string | null }> {
    const stored = await this.sessions.findById(auth.session.id);
    await this.sessions.revoke(auth.session.id);
    let redirectUrl: string | null = null;
    // The end-session endpoint of the provider this session signed in through (none once deleted).
    const settings =
      auth.session.method !== 'oidc'
        ? undefined
        : isDefaultProvider(stored?.providerId)
          ? await this.settings.get()
          : (await this.providers.get(stored?.providerId as string))?.settings;
    if (settings) {
      redirectUrl = buildLogoutRedirect({
        oidc: settings.oidc,
        siteUrl: this.options.siteUrl,
        idToken: stored?.idToken ?? null,
        idpIssuer: auth.session.idpIssuer,
      });
    }
    await this.authLog.record({
      method: 'logout',
      userName: auth.user.userName,
      ipAddress,
      success: true,
      reason: 'ok',
      message: `Signed out (${auth.session.method} session)${redirectUrl ? '; sent to the IdP to end its session' : ''}.`,
    });
    return { redirectUrl };
  }
}
