import { describe, expect, it } from 'vitest';
import { AuthError } from '../common/auth-error.js';
import { DEFAULT_OIDC_SETTINGS } from './auth-settings.types.js';
import { type ValidationContext, validateSettingsUpdate } from './settings-validator.js';

const TEAM = '11111111-1111-4111-8111-111111111111';
const ISSUER = 'https://idp.example.com/realms/x';

function context(overrides: Partial<ValidationContext> = {}): ValidationContext {
  return {
    current: { method: 'password', oidc: { ...DEFAULT_OIDC_SETTINGS }, clientSecretSet: false },
    isAlgorithmRegistered: (name) =>
      ['RS256', 'RS384', 'RS512', 'HS256', 'HS384', 'HS512'].includes(name),
    isJwksAlgorithm: (name) => name.startsWith('RS'),
    isSecretAlgorithm: (name) => name.startsWith('HS'),
    teamExists: (ids) => Promise.resolve(new Set(ids.filter((id) => id === TEAM))),
    ...overrides,
  };
}

const complete = {
  clientId: 'client',
  issuer: ISSUER,
  authorizationEndpoint: `${ISSUER}/auth`,
  tokenEndpoint: `${ISSUER}/token`,
  jwksEndpoint: `${ISSUER}/certs`,
};

async function fieldsOf(body: unknown, ctx = context()): Promise<Record<string, string>> {
  try {
    await validateSettingsUpdate(body, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('validation_failed');
    return (error as AuthError).fields ?? {};
  }
  throw new Error('expected a validation error');
}

describe('validateSettingsUpdate', () => {
  it('lets an incomplete oidc configuration be prepared in password mode', async () => {
    const result = await validateSettingsUpdate(
      { oidc: { prompt: 'login', jwksEndpoint: null } },
      context(),
    );
    expect(result.method).toBe('password');
    expect(result.oidc.prompt).toBe('login');
  });

  it('accepts a complete oidc configuration and keeps fields left out', async () => {
    const result = await validateSettingsUpdate(
      { method: 'oidc', oidc: { ...complete, clientSecret: 's3cret' } },
      context(),
    );
    expect(result.method).toBe('oidc');
    expect(result.clientSecret).toBe('s3cret');
    expect(result.oidc).toMatchObject({
      ...complete,
      pkce: true,
      fallback: true,
      scopes: ['profile', 'email'],
    });
  });

  it('keeps the stored secret for a missing, null or empty clientSecret', async () => {
    for (const clientSecret of [undefined, null, '']) {
      const result = await validateSettingsUpdate({ oidc: { clientSecret } }, context());
      expect(result.clientSecret).toBeUndefined();
    }
  });

  it('requires client id, issuer and endpoints in oidc mode', async () => {
    const fields = await fieldsOf({ method: 'oidc' });
    expect(Object.keys(fields).sort()).toEqual(
      [
        'oidc.authorizationEndpoint',
        'oidc.clientId',
        'oidc.issuer',
        'oidc.jwksEndpoint',
        'oidc.tokenEndpoint',
      ].sort(),
    );
  });

  it('refuses http URLs except on loopback hosts', async () => {
    expect(await fieldsOf({ oidc: { issuer: 'http://idp.example.com' } })).toHaveProperty([
      'oidc.issuer',
    ]);
    const ok = await validateSettingsUpdate(
      { oidc: { issuer: 'http://127.0.0.1:8080/idp', jwksEndpoint: 'http://localhost:8080/jwks' } },
      context(),
    );
    expect(ok.oidc.issuer).toBe('http://127.0.0.1:8080/idp');
  });

  it('refuses the lock-out: fallback off while admins may not use OIDC', async () => {
    expect(await fieldsOf({ oidc: { fallback: false } })).toHaveProperty(['oidc.fallback']);
    const ok = await validateSettingsUpdate(
      { oidc: { fallback: false, allowAdminUser: true } },
      context(),
    );
    expect(ok.oidc.fallback).toBe(false);
  });

  it('refuses the lock-out also when it comes from the stored settings', async () => {
    const ctx = context({
      current: {
        method: 'password',
        oidc: { ...DEFAULT_OIDC_SETTINGS, fallback: false, allowAdminUser: true },
        clientSecretSet: false,
      },
    });
    expect(await fieldsOf({ oidc: { allowAdminUser: false } }, ctx)).toHaveProperty([
      'oidc.fallback',
    ]);
  });

  it('refuses allowRegularUserFallback without fallback, as EspoCRM does', async () => {
    const fields = await fieldsOf({
      oidc: { fallback: false, allowAdminUser: true, allowRegularUserFallback: true },
    });
    expect(Object.keys(fields)).toEqual(['oidc.allowRegularUserFallback']);
    const ok = await validateSettingsUpdate(
      { oidc: { fallback: true, allowRegularUserFallback: true } },
      context(),
    );
    expect(ok.oidc.allowRegularUserFallback).toBe(true);
  });

  it('accepts URL-style claim names and refuses other punctuation', async () => {
    const ok = await validateSettingsUpdate(
      {
        oidc: {
          usernameClaim: 'https://example.com/claims/user_name',
          groupClaim: 'http://schemas.example.org/ws/2008/06/identity/claims/groups',
        },
      },
      context(),
    );
    expect(ok.oidc.usernameClaim).toBe('https://example.com/claims/user_name');
    expect(ok.oidc.groupClaim).toBe('http://schemas.example.org/ws/2008/06/identity/claims/groups');
    const fields = await fieldsOf({
      oidc: { usernameClaim: 'https://exa mple.com/x', groupClaim: 'groups/roles' },
    });
    expect(Object.keys(fields).sort()).toEqual(['oidc.groupClaim', 'oidc.usernameClaim']);
  });

  it('checks the login page settings: autoRedirect, buttonLabel', async () => {
    const ok = await validateSettingsUpdate(
      { oidc: { autoRedirect: true, buttonLabel: '  Sign in with Acme  ' } },
      context(),
    );
    expect(ok.oidc).toMatchObject({ autoRedirect: true, buttonLabel: 'Sign in with Acme' });
    const blank = await validateSettingsUpdate({ oidc: { buttonLabel: '   ' } }, context());
    expect(blank.oidc.buttonLabel).toBeNull();
    expect(DEFAULT_OIDC_SETTINGS).toMatchObject({ autoRedirect: false, buttonLabel: null });
    const fields = await fieldsOf({
      oidc: { autoRedirect: 'yes', buttonLabel: 'x'.repeat(101) },
    });
    expect(Object.keys(fields).sort()).toEqual(['oidc.autoRedirect', 'oidc.buttonLabel']);
  });

  it('refuses unknown and prototype keys instead of calling them', async () => {
    const body = JSON.parse(
      '{"oidc":{"__proto__":{"a":1},"constructor":1,"toString":2,"nope":3},"extra":1}',
    );
    const fields = await fieldsOf(body);
    expect(Object.keys(fields).sort()).toEqual(
      ['extra', 'oidc.__proto__', 'oidc.constructor', 'oidc.nope', 'oidc.toString'].sort(),
    );
  });

  it('checks types and ranges field by field', async () => {
    const fields = await fieldsOf({
      method: 'saml',
      oidc: {
        clientId: 5,
        tokenEndpointAuthMethod: 'private_key_jwt',
        scopes: ['a b'],
        usernameClaim: 'a..b',
        createUser: 'true',
        prompt: 'always',
        maxAge: 1.5,
        logoutUrl: 'javascript:alert(1)',
        clientSecret: 42,
      },
    });
    expect(Object.keys(fields).sort()).toEqual(
      [
        'method',
        'oidc.clientId',
        'oidc.tokenEndpointAuthMethod',
        'oidc.scopes',
        'oidc.usernameClaim',
        'oidc.createUser',
        'oidc.prompt',
        'oidc.maxAge',
        'oidc.logoutUrl',
        'oidc.clientSecret',
      ].sort(),
    );
  });

  it('never sends openid twice: it is dropped from the stored scopes', async () => {
    const result = await validateSettingsUpdate(
      { oidc: { scopes: ['openid', 'email', 'email'] } },
      context(),
    );
    expect(result.oidc.scopes).toEqual(['email']);
  });

  it('refuses algorithms that are not registered, and none', async () => {
    expect(await fieldsOf({ oidc: { signatureAlgorithms: ['none'] } })).toHaveProperty([
      'oidc.signatureAlgorithms',
    ]);
    expect(await fieldsOf({ oidc: { signatureAlgorithms: [] } })).toHaveProperty([
      'oidc.signatureAlgorithms',
    ]);
  });

  it('wants a JWKS endpoint for RS* and a secret for HS* in oidc mode', async () => {
    const oidcWith = (oidc: Record<string, unknown>) => ({
      method: 'oidc',
      oidc: { ...complete, ...oidc },
    });
    expect(
      await fieldsOf(oidcWith({ signatureAlgorithms: ['RS256'], jwksEndpoint: null })),
    ).toHaveProperty(['oidc.jwksEndpoint']);
    expect(await fieldsOf(oidcWith({ signatureAlgorithms: ['HS256'] }))).toHaveProperty([
      'oidc.clientSecret',
    ]);
    const withSecret = await validateSettingsUpdate(
      oidcWith({ signatureAlgorithms: ['HS256'], clientSecret: 'x'.repeat(32) }),
      context(),
    );
    expect(withSecret.oidc.signatureAlgorithms).toEqual(['HS256']);
    const storedSecret = context({
      current: {
        method: 'oidc',
        oidc: { ...DEFAULT_OIDC_SETTINGS, ...complete },
        clientSecretSet: true,
      },
    });
    const kept = await validateSettingsUpdate(
      { oidc: { signatureAlgorithms: ['HS512'] } },
      storedSecret,
    );
    expect(kept.clientSecret).toBeUndefined();
  });

  it('checks team mapping rows and that their teams exist', async () => {
    const fields = await fieldsOf({
      oidc: { teamMapping: [{ teamId: 'x', group: 'a' }, 'row', { teamId: TEAM, group: 5 }] },
    });
    expect(Object.keys(fields).sort()).toEqual(
      ['oidc.teamMapping[0].teamId', 'oidc.teamMapping[1]', 'oidc.teamMapping[2].group'].sort(),
    );
    const missing = await fieldsOf({
      oidc: { teamMapping: [{ teamId: '22222222-2222-4222-8222-222222222222', group: '' }] },
    });
    expect(missing).toHaveProperty(['oidc.teamMapping[0].teamId']);
    const ok = await validateSettingsUpdate(
      { oidc: { teamMapping: [{ teamId: TEAM.toUpperCase(), group: null }] } },
      context(),
    );
    expect(ok.oidc.teamMapping).toEqual([{ teamId: TEAM, group: '' }]);
  });

  it('refuses a body that is not an object', async () => {
    for (const body of [null, [], 'x', 5]) expect(await fieldsOf(body)).toHaveProperty('body');
    expect(await fieldsOf({ oidc: [] })).toHaveProperty('oidc');
  });
  it('defaults the identity and access settings and checks their values', async () => {
    const defaults = await validateSettingsUpdate({ oidc: {} }, context());
    expect(defaults.oidc).toMatchObject({
      linkExistingUsers: 'userName',
      allowedGroups: [],
      allowedEmailDomains: [],
      adminGroups: [],
      adminRoleSource: 'manual',
    });
    const ok = await validateSettingsUpdate(
      {
        oidc: {
          linkExistingUsers: 'verifiedEmail',
          groupClaim: 'groups',
          allowedGroups: ['staff', 'staff', 'ops'],
          allowedEmailDomains: ['@Example.COM', 'xn--bcher-kva.example'],
          adminGroups: ['it-admins'],
          allowAdminUser: true,
          adminRoleSource: 'idp',
        },
      },
      context(),
    );
    expect(ok.oidc).toMatchObject({
      linkExistingUsers: 'verifiedEmail',
      allowedGroups: ['staff', 'ops'],
      allowedEmailDomains: ['example.com', 'xn--bcher-kva.example'],
      adminGroups: ['it-admins'],
      adminRoleSource: 'idp',
    });
    expect(
      await fieldsOf({
        oidc: {
          linkExistingUsers: 'email',
          adminRoleSource: 'sometimes',
          allowedGroups: ['ok', '', 3],
          allowedEmailDomains: ['bad domain', 'ex_ample.com'],
          groupClaim: 'groups',
        },
      }),
    ).toEqual({
      'oidc.linkExistingUsers': 'Must be one of: userName, verifiedEmail, never.',
      'oidc.adminRoleSource': 'Must be one of: manual, idp.',
      'oidc.allowedGroups[1]': 'Must not be empty.',
      'oidc.allowedGroups[2]': 'Must be a string.',
      'oidc.allowedEmailDomains[0]': expect.stringContaining('Must be a domain'),
      'oidc.allowedEmailDomains[1]': expect.stringContaining('Must be a domain'),
    });
  });

  it('refuses admin groups while admins may not use OIDC, and groups without a group claim', async () => {
    expect(await fieldsOf({ oidc: { groupClaim: 'groups', adminGroups: ['admins'] } })).toEqual({
      'oidc.adminGroups': expect.stringContaining('allowAdminUser'),
    });
    expect(
      await fieldsOf({
        oidc: { allowedGroups: ['staff'], adminGroups: ['a'], allowAdminUser: true },
      }),
    ).toEqual({
      'oidc.allowedGroups': expect.stringContaining('groupClaim'),
      'oidc.adminGroups': expect.stringContaining('groupClaim'),
    });
  });
});
