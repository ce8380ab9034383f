import { Injectable } from '@nestjs/common';
import { AuthError } from '../common/auth-error.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { OidcStrategy } from './oidc.strategy.js';

/** One strategy per settings version: rebuilt as soon as the settings change, no restart. */
@Injectable()
export class OidcStrategyCache {
  private current: OidcStrategy | undefined;

  constructor(private readonly settingsService: AuthSettingsService) {}

  for(settings: AuthSettings): OidcStrategy {
    if (this.current && this.current.settings.version === settings.version) return this.current;
    let strategy: OidcStrategy;
    try {
      strategy = new OidcStrategy(settings, this.settingsService.redirectUri());
    } catch (error) {
      throw new AuthError(
        'oidc_not_configured',
        'OIDC sign-in is not fully configured (client id, issuer, authorization and token endpoints).',
        { cause: error },
      );
    }
    this.current = strategy;
    return strategy;
  }
}
