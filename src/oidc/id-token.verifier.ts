import { Injectable, Logger } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError, type AuthErrorCode } from '../common/auth-error.js';
import { safeEqual } from '../common/crypto.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { IdpKeysService } from './idp-keys.service.js';
import type { OidcClaims } from './oidc-claims.js';
import { debugRefusedJwt, debugVerifiedJwt } from './jwt-debug.js';
import { isNumericDate, type TimeFailure, tokenTimeFailure } from './token-times.js';

export interface IdTokenExpectations {
  nonce: string;
  /** `max_age` sent in the request; `auth_time` is then required and checked. */
  maxAge: number | null;
  /** When the login started (for `max_age`). */
  startedAt: Date;
}

export interface VerifiedIdToken {
  claims: OidcClaims & { iss: string; sub: string };
}

const TIME_MESSAGES: Record<TimeFailure['kind'], (claim: string) => string> = {
  missing: (claim) => `The ID token has no "${claim}" claim.`,
  malformed: (claim) =>
    `The ID token's "${claim}" is not a usable time (a number of seconds up to the year 9999).`,
  expired: () => 'The ID token has expired; check the clocks of the IdP and this server.',
  not_yet_valid: (claim) =>
    claim === 'iat'
      ? 'The ID token was issued in the future (iat); check the clocks.'
      : 'The ID token is not valid yet (nbf); check the clocks of the IdP and this server.',
};

const TIME_CODES: Record<TimeFailure['kind'], AuthErrorCode> = {
  missing: 'id_token_missing_claim',
  malformed: 'id_token_malformed',
  expired: 'id_token_expired',
  not_yet_valid: 'id_token_not_yet_valid',
};

/** OpenID Connect Core 3.1.3.7 checks of an ID token; the signature through IdpKeysService. */
@Injectable()
export class IdTokenVerifier {
  private readonly logger = new Logger('OidcIdToken');

  constructor(
    private readonly keys: IdpKeysService,
    @InjectAuthOptions() private readonly options: Pick<ResolvedAuthOptions, 'clockLeewaySeconds'>,
  ) {}

  async verify(
    token: string,
    settings: AuthSettings,
    expected: IdTokenExpectations,
  ): Promise<VerifiedIdToken> {
    const { header, payload } = await this.keys
      .verifySignature(token, settings)
      .catch((error: unknown) => {
        debugRefusedJwt(this.logger, 'ID token', token);
        throw error;
      });
    debugVerifiedJwt(this.logger, 'ID token', header, payload);
    const claims = payload as OidcClaims;
    const { clientId, issuer } = settings.oidc;
    const now = Date.now() / 1000;
    const leeway = this.options.clockLeewaySeconds;

    // A token from another issuer could carry a different user under the same sub.
    if (claims.iss !== issuer)
      throw new AuthError(
        'id_token_wrong_issuer',
        `The ID token was issued by ${JSON.stringify(String(claims.iss).slice(0, 200))}, not by the configured issuer ${issuer}.`,
      );
    const aud = claims.aud;
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    // A token minted for another client must not sign a user in here.
    if (!audiences.includes(clientId))
      throw new AuthError(
        'id_token_wrong_audience',
        'The ID token is not meant for this client (aud does not contain the client id).',
      );
    if (audiences.length > 1 && claims.azp === undefined)
      throw new AuthError(
        'id_token_azp_mismatch',
        'The ID token has several audiences but no authorized party (azp).',
      );
    if (claims.azp !== undefined && claims.azp !== clientId)
      throw new AuthError(
        'id_token_azp_mismatch',
        'The ID token was issued to another client (azp differs from the client id).',
      );
    this.checkTimes(claims, leeway, now);
    // The nonce ties the token to this login, so a token replayed from another login fails.
    if (typeof claims.nonce !== 'string' || !safeEqual(claims.nonce, expected.nonce))
      throw new AuthError('nonce_mismatch', 'The ID token nonce does not match this sign-in.');
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 255)
      throw new AuthError('id_token_missing_claim', 'The ID token has no valid "sub" claim.');
    if (expected.maxAge !== null) {
      const authTime = claims.auth_time;
      if (authTime === undefined)
        throw new AuthError('id_token_missing_claim', 'The ID token has no "auth_time" claim.');
      if (!isNumericDate(authTime))
        throw new AuthError(
          'id_token_malformed',
          'The ID token\'s "auth_time" is not a usable time.',
        );
      const oldest = Math.floor(expected.startedAt.getTime() / 1000) - expected.maxAge - leeway;
      if (authTime < oldest)
        throw new AuthError(
          'id_token_too_old',
          'The user authenticated at the IdP longer ago than the configured max age.',
        );
    }
    return { claims: claims as VerifiedIdToken['claims'] };
  }

  /** exp, iat, nbf through the one shared check, so every path applies the same leeway. */
  private checkTimes(claims: OidcClaims, leeway: number, now: number): void {
    const failure = tokenTimeFailure(claims, leeway, now);
    if (failure)
      throw new AuthError(TIME_CODES[failure.kind], TIME_MESSAGES[failure.kind](failure.claim));
  }
}
