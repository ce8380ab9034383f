import { Injectable } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import { isDefaultProvider, providerRedirectUri } from '../providers/provider-id.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { OidcStrategy } from './oidc.strategy.js';

/**
 * One strategy per provider and settings version: rebuilt as soon as that provider's
 * settings change, no restart; the other providers' strategies stay.
 */
@Injectable()
export class OidcStrategyCache {
  private readonly current = new Map<string, OidcStrategy>();

  constructor(
    private readonly settingsService: AuthSettingsService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  for(settings: AuthSettings): OidcStrategy {
    const key = settings.providerId ?? 'default';
    const cached = this.current.get(key);
    if (cached && cached.settings.version === settings.version) return cached;
    let strategy: OidcStrategy;
    try {
      strategy = new OidcStrategy(settings, this.redirectUri(settings));
    } catch (error) {
      throw new AuthError(
        'oidc_not_configured',
        'OIDC sign-in is not fully configured (client id, issuer, authorization and token endpoints).',
        { cause: error },
      );
    }
    this.current.set(key, strategy);
    return strategy;
  }

  /** Forgets a deleted provider's strategy. */
  drop(providerId: string): void {
    this.current.delete(providerId);
  }

  redirectUri(settings: AuthSettings): string {
    return isDefaultProvider(settings.providerId)
      ? this.settingsService.redirectUri()
      : providerRedirectUri(this.options, settings.providerId as string);
  }
}
