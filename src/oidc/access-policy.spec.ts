import { describe, expect, it } from 'vitest';
import { checkAccess, emailDomain, isEmailVerified } from './access-policy.js';
import type { GroupClaim } from './oidc-claims.js';

const open = { allowedGroups: [], allowedEmailDomains: [], groupClaim: 'groups' };

describe('access policy', () => {
  it('reads the domain after the last @, lower-cased', () => {
    expect(emailDomain('a@B.Example')).toBe('b.example');
    expect(emailDomain('"a@b"@c.example')).toBe('c.example');
    for (const bad of ['nobody', '@x.example', 'a@', 42, null]) expect(emailDomain(bad)).toBeNull();
  });

  it('takes email_verified as true or "true" only', () => {
    expect(isEmailVerified({ email_verified: true })).toBe(true);
    expect(isEmailVerified({ email_verified: 'true' })).toBe(true);
    for (const value of [false, 'false', 1, 'yes', undefined])
      expect(isEmailVerified({ email_verified: value })).toBe(false);
  });

  it('lets everyone in when both lists are empty, whatever the claims', () => {
    expect(checkAccess({}, { status: 'missing', groups: null }, open)).toEqual({ allowed: true });
  });

  it('needs one allowed group, and a group claim that says something', () => {
    const policy = { ...open, allowedGroups: ['staff'] };
    expect(checkAccess({}, { status: 'ok', groups: ['x', 'staff'] }, policy).allowed).toBe(true);
    const refused: GroupClaim[] = [
      { status: 'ok', groups: [] },
      { status: 'ok', groups: ['Staff'] },
      { status: 'overage', groups: null },
      { status: 'invalid', groups: null },
    ];
    for (const groups of refused)
      expect(checkAccess({}, groups, policy)).toMatchObject({
        allowed: false,
        code: 'group_not_allowed',
      });
  });

  it('needs a verified email of an allowed domain, exactly', () => {
    const policy = { ...open, allowedEmailDomains: ['corp.example'] };
    const groups: GroupClaim = { status: 'ok', groups: [] };
    const verdict = (claims: Record<string, unknown>) => checkAccess(claims, groups, policy);
    expect(verdict({ email: 'a@Corp.Example', email_verified: true }).allowed).toBe(true);
    for (const claims of [
      { email: 'a@corp.example' },
      { email: 'a@corp.example', email_verified: false },
      { email: 'a@sub.corp.example', email_verified: true },
      { email: 'a@corp.example.evil', email_verified: true },
      { email_verified: true },
    ])
      expect(verdict(claims)).toMatchObject({ allowed: false, code: 'email_domain_not_allowed' });
  });
});
