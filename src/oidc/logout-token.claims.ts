import { AuthError } from '../common/auth-error.js';
import { type TimeFailure, tokenTimeFailure } from './token-times.js';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** The claims of a logout token that passed every check of Back-Channel Logout 1.0 §2.6. */
export interface LogoutTokenClaims {
  iss: string;
  jti: string;
  /** Epoch seconds. */
  exp: number;
  iat: number;
  sub?: string;
  sid?: string;
}

export interface LogoutClaimsContext {
  issuer: string;
  clientId: string;
  leewaySeconds: number;
  /** Epoch seconds; default now. */
  now?: number;
}

const MAX_ID_LENGTH = 1024;

const TIME_MESSAGES: Record<TimeFailure['kind'], (claim: string) => string> = {
  missing: (claim) => `The logout token has no "${claim}" claim.`,
  malformed: (claim) =>
    `The logout token's "${claim}" is not a usable time (a number of seconds up to the year 9999).`,
  expired: () => 'The logout token has expired.',
  not_yet_valid: (claim) =>
    claim === 'iat'
      ? 'The logout token was issued in the future (iat).'
      : 'The logout token is not valid yet (nbf).',
};

function refuse(message: string): never {
  throw new AuthError('logout_token_invalid', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function optionalId(payload: Record<string, unknown>, name: 'sub' | 'sid'): string | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH)
    refuse(`The logout token's "${name}" must be a non-empty string.`);
  return value;
}

/** `typ` may be absent or `logout+jwt`: explicit typing keeps other JWTs (ID tokens) out. */
export function checkLogoutTokenType(header: Record<string, unknown>): void {
  const typ = header.typ;
  if (typ === undefined) return;
  if (typeof typ !== 'string' || !/^(application\/)?logout\+jwt$/i.test(typ))
    refuse('The token type is not logout+jwt.');
}

/**
 * Back-Channel Logout 1.0 §2.6 checks after the signature: every failure names the claim so
 * the admin can fix the IdP side; nothing here echoes the token.
 */
export function checkLogoutClaims(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  context: LogoutClaimsContext,
): LogoutTokenClaims {
  checkLogoutTokenType(header);
  const now = context.now ?? Date.now() / 1000;
  const leeway = context.leewaySeconds;
  // A token from another issuer could name a different user with the same sub.
  if (payload.iss !== context.issuer) refuse('The logout token was issued by another issuer.');
  const aud = payload.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(context.clientId))
    refuse('The logout token is not meant for this client (aud).');
  // The same time rule as ID tokens: one leeway, sane NumericDates only (no database overflow).
  const failure = tokenTimeFailure(payload, leeway, now);
  if (failure) refuse(TIME_MESSAGES[failure.kind](failure.claim));
  const { iat, exp } = payload as { iat: number; exp: number };
  const jti = payload.jti;
  // The jti is what makes a replay detectable; without it the token could be posted again.
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_ID_LENGTH)
    refuse('The logout token has no "jti" claim.');
  const events = payload.events;
  if (!isObject(events)) refuse('The logout token\'s "events" claim is missing or not an object.');
  if (!isObject(events[BACKCHANNEL_LOGOUT_EVENT]))
    refuse('The logout token does not carry the back-channel logout event.');
  // A nonce marks an ID token: refusing it keeps ID tokens from being used as logout tokens.
  if ('nonce' in payload) refuse('The logout token must not contain a "nonce" claim.');
  const sub = optionalId(payload, 'sub');
  const sid = optionalId(payload, 'sid');
  if (sub === undefined && sid === undefined)
    refuse('The logout token has neither "sub" nor "sid".');
  return { iss: context.issuer, jti, exp, iat, sub, sid };
}
