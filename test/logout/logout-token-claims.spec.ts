import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/common/auth-error.js';
import { BACKCHANNEL_LOGOUT_EVENT, checkLogoutClaims } from '../../src/oidc/logout-token.claims.js';

const NOW = 1_800_000_000;
const context = { issuer: 'https://idp.example', clientId: 'app', leewaySeconds: 60, now: NOW };

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    iss: 'https://idp.example',
    aud: 'app',
    iat: NOW,
    exp: NOW + 120,
    jti: 'jti-1',
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    sub: 'sub-1',
    sid: 'sid-1',
    ...overrides,
  };
  for (const key of Object.keys(base)) if (base[key] === undefined) delete base[key];
  return base;
}

function refusal(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  try {
    checkLogoutClaims(header, payload, context);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('logout_token_invalid');
    return (error as AuthError).message;
  }
  throw new Error('accepted');
}

describe('checkLogoutClaims (Back-Channel Logout 1.0 §2.6)', () => {
  it('accepts a well-formed token by sid and sub, by sid only, by sub only', () => {
    expect(checkLogoutClaims({ typ: 'logout+jwt' }, claims(), context)).toMatchObject({
      jti: 'jti-1',
      sid: 'sid-1',
      sub: 'sub-1',
    });
    expect(checkLogoutClaims({}, claims({ sub: undefined }), context).sub).toBeUndefined();
    expect(checkLogoutClaims({}, claims({ sid: undefined }), context).sid).toBeUndefined();
    expect(
      checkLogoutClaims({ typ: 'application/logout+JWT' }, claims({ aud: ['x', 'app'] }), context),
    ).toBeDefined();
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, RegExp]>([
    ['typ JWT (an ID token)', { typ: 'JWT' }, claims(), /type/],
    ['wrong iss', {}, claims({ iss: 'https://evil.example' }), /issuer/],
    ['wrong aud', {}, claims({ aud: 'other' }), /aud/],
    ['aud missing', {}, claims({ aud: undefined }), /aud/],
    ['missing iat', {}, claims({ iat: undefined }), /iat/],
    ['iat not a number', {}, claims({ iat: '1800000000' }), /iat/],
    ['iat in the future', {}, claims({ iat: NOW + 600 }), /future/],
    ['missing exp', {}, claims({ exp: undefined }), /exp/],
    ['expired', {}, claims({ exp: NOW - 61 }), /expired/],
    ['nbf in the future', {}, claims({ nbf: NOW + 600 }), /nbf/],
    ['missing jti', {}, claims({ jti: undefined }), /jti/],
    ['empty jti', {}, claims({ jti: '' }), /jti/],
    ['no events', {}, claims({ events: undefined }), /events/],
    ['events not an object', {}, claims({ events: 'logout' }), /events/],
    ['events an array', {}, claims({ events: [BACKCHANNEL_LOGOUT_EVENT] }), /events/],
    ['a different event', {}, claims({ events: { 'https://example/other': {} } }), /event/],
    [
      'event value not an object',
      {},
      claims({ events: { [BACKCHANNEL_LOGOUT_EVENT]: true } }),
      /event/,
    ],
    ['with nonce', {}, claims({ nonce: 'n-1' }), /nonce/],
    ['with a null nonce', {}, claims({ nonce: null }), /nonce/],
    ['neither sub nor sid', {}, claims({ sub: undefined, sid: undefined }), /neither/],
    ['sid not a string', {}, claims({ sid: 42 }), /sid/],
  ])('refuses %s', (_name, header, payload, message) => {
    expect(refusal(header, payload)).toMatch(message);
  });

  it('accepts expiry and iat inside the leeway', () => {
    expect(checkLogoutClaims({}, claims({ exp: NOW - 30, iat: NOW + 30 }), context)).toBeDefined();
  });
});
