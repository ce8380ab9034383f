import { describe, expect, it } from 'vitest';
import { claimAt, groupClaimsRequest, groupValues, readGroupClaim } from './oidc-claims.js';
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

  it('reads the group claim: groups, [] as no groups, or why it says nothing', () => {
    expect(readGroupClaim({ groups: ['a', 2, 'b'] }, 'groups')).toEqual({
      status: 'ok',
      groups: ['a', 'b'],
    });
    expect(readGroupClaim({ groups: 'a' }, 'groups')).toEqual({ status: 'ok', groups: ['a'] });
    expect(readGroupClaim({ groups: [] }, 'groups')).toEqual({ status: 'ok', groups: [] });
    expect(readGroupClaim({}, null)).toEqual({ status: 'ok', groups: [] });
    expect(readGroupClaim({}, 'groups').status).toBe('missing');
    expect(readGroupClaim({ groups: null }, 'groups').status).toBe('missing');
    expect(readGroupClaim({ groups: { a: 1 } }, 'groups').status).toBe('invalid');
    expect(readGroupClaim({ groups: 7 }, 'groups').status).toBe('invalid');
    expect(readGroupClaim({ groups: true }, 'groups').status).toBe('invalid');
    // Entra ID group overage: a pointer to the Graph API instead of the groups.
    expect(
      readGroupClaim(
        { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'x' } } },
        'groups',
      ),
    ).toEqual({ status: 'overage', groups: null });
    expect(readGroupClaim({ hasgroups: true }, 'groups').status).toBe('overage');
    expect(readGroupClaim({ hasgroups: 'true' }, 'groups').status).toBe('overage');
  });

  it('refuses user-name claims that normalise to nothing but underscores', () => {
    for (const value of ['', '   ', '日本語', '\t\n', '___'])
      expect(() => userNameFromClaims({ n: value }, 'n')).toThrow(
        expect.objectContaining({ code: 'username_claim_missing' }),
      );
    expect(userNameFromClaims({ n: ' dave\t' }, 'n')).toBe('_dave_');
    expect(userNameFromClaims({ n: 42 }, 'n')).toBe('42');
  });
});
