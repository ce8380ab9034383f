import { Injectable, Logger } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { IdpKeysService } from './idp-keys.service.js';
import {
  checkLogoutClaims,
  checkLogoutTokenType,
  type LogoutTokenClaims,
} from './logout-token.claims.js';
import { debugRefusedJwt, debugVerifiedJwt } from './jwt-debug.js';

/** Largest logout token accepted (a signed JWT of a few claims is well under 2 KiB). */
export const MAX_LOGOUT_TOKEN_LENGTH = 8192;

/** Verifies a back-channel logout token: signature through IdpKeysService, then §2.6 claims. */
@Injectable()
export class LogoutTokenVerifier {
  private readonly logger = new Logger('BackchannelLogout');

  constructor(
    private readonly keys: IdpKeysService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  async verify(token: string, settings: AuthSettings): Promise<LogoutTokenClaims> {
    if (token.length > MAX_LOGOUT_TOKEN_LENGTH)
      throw new AuthError('logout_token_invalid', 'The logout token is too long.');
    // typ first: an ID token (or any other JWT type) is refused before key lookups.
    try {
      checkLogoutTokenType(this.safeHeader(token));
    } catch (error) {
      debugRefusedJwt(this.logger, 'Logout token', token);
      throw error;
    }
    const { header, payload } = await this.keys.verifySignature(token, settings).catch((error) => {
      debugRefusedJwt(this.logger, 'Logout token', token);
      // Same checks as for ID tokens; the refusal is worded for a logout token.
      if (error instanceof AuthError && error.code.startsWith('id_token_'))
        throw new AuthError(
          'logout_token_invalid',
          error.message.replace(/^The token/, 'The logout token'),
          { cause: error },
        );
      throw error;
    });
    debugVerifiedJwt(this.logger, 'Logout token', header, payload);
    return checkLogoutClaims(header, payload, {
      issuer: settings.oidc.issuer,
      clientId: settings.oidc.clientId,
      leewaySeconds: this.options.clockLeewaySeconds,
    });
  }

  private safeHeader(token: string): Record<string, unknown> {
    try {
      return decodeProtectedHeader(token);
    } catch {
      throw new AuthError('logout_token_invalid', 'The logout token is not a signed JWT.');
    }
  }
}
