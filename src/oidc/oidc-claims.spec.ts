import { describe, expect, it } from 'vitest';
import { claimAt, groupClaimsRequest, groupValues } from './oidc-claims.js';
import { userNameFromClaims } from './oidc-provisioning.service.js';

describe('OIDC claim helpers', () => {
  it('reads dot paths, preferring a literal key that contains dots', () => {
    const claims = { realm: { roles: ['a'] }, 'x.y': 1, x: { y: 2 } };
    expect(claimAt(claims, 'realm.roles')).toEqual(['a']);
    expect(claimAt(claims, 'x.y')).toBe(1);
    expect(claimAt(claims, 'realm.missing.deeper')).toBeUndefined();
    expect(claimAt(claims, '__proto__.polluted')).toBeUndefined();
  });

  it('reads a URL-style claim name (Auth0, Okta custom claims) as one literal key', () => {
    const name = 'https://example.com/claims/groups';
    const claims = { [name]: ['sales'], 'https://example': { 'com/claims/groups': ['wrong'] } };
    expect(claimAt(claims, name)).toEqual(['sales']);
    expect(claimAt({ sub: 'x' }, name)).toBeUndefined();
    expect(groupClaimsRequest(name)).toEqual({
      id_token: { [name]: null },
      userinfo: { [name]: null },
    });
  });

  it('accepts a string or an array of strings as groups', () => {
    expect(groupValues('admins')).toEqual(['admins']);
    expect(groupValues(['a', 1, 'b'])).toEqual(['a', 'b']);
    expect(groupValues({ a: 1 })).toEqual([]);
  });

  it('requests the top-level name of a dot-path group claim in both places', () => {
    expect(groupClaimsRequest('realm_access.roles')).toEqual({
      id_token: { realm_access: null },
      userinfo: { realm_access: null },
    });
    expect(groupClaimsRequest(null)).toBeUndefined();
  });

  it('derives normalised user names and refuses absent or too long ones', () => {
    expect(userNameFromClaims({ email: 'John Doe+x@Mail.com' }, 'email')).toBe(
      'john_doe_x@mail.com',
    );
    expect(() => userNameFromClaims({}, 'email')).toThrow(
      expect.objectContaining({ code: 'username_claim_missing' }),
    );
    expect(() => userNameFromClaims({ n: 'a'.repeat(256) }, 'n')).toThrow(
      expect.objectContaining({ code: 'username_too_long' }),
    );
  });
});
