import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIdp, type LocalIdp } from '../../src/demo/local-idp.js';
import { api, createTeam, createUser, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SECRET = 'local-idp-client-secret-0123456789';

describe('OIDC sign-in against a real oidc-provider', () => {
  let t: TestApp;
  let idp: LocalIdp;
  let admin: string;
  let eng: { id: string; name: string };
  let ops: { id: string; name: string };
  let everyone: { id: string; name: string };

  const settingsFor = (overrides: Record<string, unknown> = {}) => ({
    method: 'oidc',
    oidc: {
      clientId: 'rp-post',
      clientSecret: SECRET,
      issuer: idp.issuer,
      authorizationEndpoint: `${idp.issuer}/auth`,
      tokenEndpoint: `${idp.issuer}/token`,
      jwksEndpoint: `${idp.issuer}/jwks`,
      userInfoEndpoint: `${idp.issuer}/me`,
      tokenEndpointAuthMethod: 'client_secret_post',
      usernameClaim: 'preferred_username',
      scopes: ['profile', 'email', 'phone'],
      createUser: true,
      sync: true,
      groupClaim: 'groups',
      syncTeams: true,
      teamMapping: [
        { teamId: eng.id, group: 'engineering' },
        { teamId: ops.id, group: 'operations' },
        { teamId: everyone.id, group: '' },
      ],
      pkce: true,
      ...overrides,
    },
  });

  beforeAll(async () => {
    t = await startTestApp();
    const redirect = `${t.baseUrl}/api/v1/auth/oidc/callback`;
    idp = await startLocalIdp({
      clients: [
        {
          client_id: 'rp-post',
          client_secret: SECRET,
          redirect_uris: [redirect],
          token_endpoint_auth_method: 'client_secret_post',
        },
        {
          client_id: 'rp-basic',
          client_secret: SECRET,
          redirect_uris: [redirect],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      accounts: [
        {
          sub: 'sub-alice',
          password: 'alice-pw',
          claims: {
            preferred_username: 'Alice Smith!',
            email: 'alice@example.test',
            given_name: 'Alice',
            family_name: 'Smith',
            phone_number: '+1 555 0100',
            groups: ['engineering'],
          },
        },
        { sub: 'sub-root', password: 'root-pw', claims: { preferred_username: 'boss' } },
      ],
    });
    admin = await loginAsAdmin(t);
    eng = await createTeam(t, admin, 'Engineering');
    ops = await createTeam(t, admin, 'Operations');
    everyone = await createTeam(t, admin, 'Everyone');
  });

  afterAll(async () => {
    await idp?.stop();
    await t?.close();
  });

  it('signs a new user in with PKCE and client_secret_post, creating the normalised user', async () => {
    await putSettings(t, admin, settingsFor());
    const browser = new BrowserSession();
    const { callback, sessionToken } = await oidcSignIn(
      browser,
      t.baseUrl,
      { userName: 'sub-alice', password: 'alice-pw' },
      { returnTo: '/hello/me' },
    );
    expect(callback.status, callback.body).toBe(302);
    expect(callback.location).toBe(`${t.baseUrl}/hello/me`);
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(sessionToken).toBeTruthy();
    const me = await api(t, 'get', '/api/v1/auth/me', sessionToken);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      userName: 'alice_smith_',
      emailAddress: 'alice@example.test',
      firstName: 'Alice',
      lastName: 'Smith',
      phoneNumber: '+1 555 0100',
      isAdmin: false,
    });
    expect(me.body.teams.map((team: { name: string }) => team.name).sort()).toEqual([
      'Engineering',
      'Everyone',
    ]);
    const log = await api(t, 'get', '/api/v1/admin/auth-log', admin);
    expect(log.body[0]).toMatchObject({ method: 'oidc', userName: 'alice_smith_', success: true });
  });
});
