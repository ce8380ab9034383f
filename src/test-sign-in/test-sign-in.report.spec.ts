import { describe, expect, it } from 'vitest';
import { AuthError } from '../common/auth-error.js';
import { decodeJwtParts, TestSignInChecks } from './test-sign-in.checks.js';
import { idTokenCheckOf, idTokenChecksUpTo } from './test-sign-in.report.js';

const now = Math.floor(Date.now() / 1000);

describe('test sign-in checks', () => {
  it('places each ID-token refusal on its check', () => {
    const claims = { exp: now + 60, iat: now, sub: 's' };
    const at = (code: AuthError['code'], c: Record<string, unknown> | undefined = claims) =>
      idTokenCheckOf(new AuthError(code, 'x'), c);
    expect(at('id_token_invalid_signature')).toBe('signature');
    expect(at('id_token_alg_not_allowed')).toBe('signature');
    expect(at('id_token_wrong_issuer')).toBe('iss');
    expect(at('id_token_wrong_audience')).toBe('aud');
    expect(at('id_token_azp_mismatch')).toBe('azp');
    expect(at('id_token_expired')).toBe('exp/iat/nbf');
    expect(at('id_token_not_yet_valid')).toBe('exp/iat/nbf');
    expect(at('nonce_mismatch')).toBe('nonce');
    expect(at('id_token_too_old')).toBe('auth_time/max_age');
    // A missing claim is placed by which claim is missing.
    expect(at('id_token_missing_claim', { iat: now, sub: 's' })).toBe('exp/iat/nbf');
    expect(at('id_token_missing_claim', { exp: now, iat: now })).toBe('sub');
    expect(at('id_token_missing_claim', claims)).toBe('auth_time/max_age');
  });

  it('lists the ID-token checks passed before a refusal', () => {
    expect(idTokenChecksUpTo('signature')).toEqual([]);
    expect(idTokenChecksUpTo('aud')).toEqual(['signature', 'iss']);
    expect(idTokenChecksUpTo(undefined)).toEqual([
      'signature',
      'iss',
      'aud',
      'azp',
      'exp/iat/nbf',
      'nonce',
      'sub',
      'auth_time/max_age',
    ]);
  });

  it('keeps one entry per check, a later refusal replacing a pass', () => {
    const checks = new TestSignInChecks();
    checks.pass('iss');
    checks.pass('aud', 'note');
    checks.fail('iss', new AuthError('id_token_wrong_issuer', 'other issuer'));
    expect(checks.items).toEqual([
      { name: 'iss', ok: false, code: 'id_token_wrong_issuer', message: 'other issuer' },
      { name: 'aud', ok: true, message: 'note' },
    ]);
  });

  it('decodes the header and claims of a JWT, and nothing else', () => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    expect(decodeJwtParts(`${part({ alg: 'RS256' })}.${part({ sub: 'a' })}.sig`)).toEqual({
      header: { alg: 'RS256' },
      claims: { sub: 'a' },
    });
    expect(decodeJwtParts('a.b')).toBeNull();
    expect(decodeJwtParts(`${part([1])}.${part({})}.s`)).toBeNull();
    expect(decodeJwtParts('!!.??.x')).toBeNull();
  });
});
