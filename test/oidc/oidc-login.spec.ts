import { DataSource } from 'typeorm';
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
          backchannel_logout_uri: `${t.baseUrl}/api/v1/backchannelLogout`,
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
        {
          sub: 'sub-bob',
          password: 'bob-pw',
          claims: { preferred_username: 'Bob', email: 'bob@example.test', groups: 'operations' },
        },
        { sub: 'sub-carol', password: 'carol-pw', claims: { preferred_username: 'carol' } },
        { sub: 'sub-root', password: 'root-pw', claims: { preferred_username: 'admin' } },
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
    const rows: { idp_issuer: string; idp_subject: string; idp_sid: string | null }[] = await t.app
      .get(DataSource)
      .query(
        `SELECT s.idp_issuer, s.idp_subject, s.idp_sid FROM auth_session s
         JOIN auth_user u ON u.id = s.user_id WHERE u.user_name = 'alice_smith_'`,
      );
    expect(rows).toEqual([
      { idp_issuer: idp.issuer, idp_subject: 'sub-alice', idp_sid: expect.any(String) },
    ]);
  });

  const meOf = async (token: string | undefined) => {
    const me = await api(t, 'get', '/api/v1/auth/me', token);
    expect(me.status).toBe(200);
    return me.body as {
      id: string;
      userName: string;
      emailAddress: string | null;
      firstName: string | null;
      teams: { id: string; name: string }[];
    };
  };
  const teamNames = (user: { teams: { name: string }[] }) =>
    user.teams.map((team) => team.name).sort();
  const refusal = async (userName: string, password: string) => {
    const { callback, sessionToken } = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName,
      password,
    });
    expect(sessionToken).toBeUndefined();
    expect(callback.status).toBe(302);
    return new URL(callback.location!).searchParams.get('error');
  };

  it('signs in with client_secret_basic and without UserInfo, claims from the ID token', async () => {
    await putSettings(
      t,
      admin,
      settingsFor({
        clientId: 'rp-basic',
        tokenEndpointAuthMethod: 'client_secret_basic',
        userInfoEndpoint: null,
      }),
    );
    const { callback, sessionToken } = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: 'sub-bob',
      password: 'bob-pw',
    });
    expect(callback.status, callback.body).toBe(302);
    expect(callback.location).toBe(`${t.baseUrl}/`);
    const bob = await meOf(sessionToken);
    expect(bob).toMatchObject({ userName: 'bob', emailAddress: 'bob@example.test' });
    expect(teamNames(bob)).toEqual(['Everyone', 'Operations']);
  });

  it('syncs the profile and teams on the next login, keeping admin-added memberships', async () => {
    await putSettings(t, admin, settingsFor());
    const manual = await createTeam(t, admin, 'Manual');
    const first = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: 'sub-alice',
      password: 'alice-pw',
    });
    const alice = await meOf(first.sessionToken);
    const patched = await api(t, 'patch', `/api/v1/admin/users/${alice.id}`, admin).send({
      teamIds: [...alice.teams.map((team) => team.id), manual.id],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    idp.setClaims('sub-alice', {
      preferred_username: 'Alice Smith!',
      email: 'alice.new@example.test',
      given_name: 'Alicia',
      groups: ['operations'],
    });
    const second = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: 'sub-alice',
      password: 'alice-pw',
    });
    const synced = await meOf(second.sessionToken);
    expect(synced).toMatchObject({
      id: alice.id,
      emailAddress: 'alice.new@example.test',
      firstName: 'Alicia',
      lastName: 'Smith',
    });
    expect(teamNames(synced)).toEqual(['Everyone', 'Manual', 'Operations']);
  });

  it('leaves memberships alone and warns when the group claim is absent', async () => {
    await putSettings(t, admin, settingsFor());
    idp.setClaims('sub-alice', { preferred_username: 'Alice Smith!' });
    const { sessionToken } = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: 'sub-alice',
      password: 'alice-pw',
    });
    const alice = await meOf(sessionToken);
    expect(teamNames(alice)).toEqual(['Everyone', 'Manual', 'Operations']);
    expect(t.logs.text()).toContain('group claim; team memberships are left as they are');
  });

  it('refuses an admin unless allowAdminUser, without changing the admin', async () => {
    await putSettings(t, admin, settingsFor({ allowAdminUser: false }));
    expect(await refusal('sub-root', 'root-pw')).toBe('admin_oidc_disabled');
    const log = await api(t, 'get', '/api/v1/admin/auth-log', admin);
    expect(log.body[0]).toMatchObject({
      userName: 'admin',
      success: false,
      reason: 'admin_oidc_disabled',
    });
    await putSettings(t, admin, settingsFor({ allowAdminUser: true }));
    const { sessionToken } = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: 'sub-root',
      password: 'root-pw',
    });
    const me = await api(t, 'get', '/api/v1/auth/me', sessionToken);
    expect(me.body).toMatchObject({ userName: 'admin', isAdmin: true });
  });

  it('applies settings changed between two logins without a restart', async () => {
    await putSettings(t, admin, settingsFor({ createUser: false }));
    expect(await refusal('sub-carol', 'carol-pw')).toBe('user_not_found');
    await putSettings(t, admin, settingsFor({ createUser: true }));
    const { sessionToken } = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: 'sub-carol',
      password: 'carol-pw',
    });
    expect((await meOf(sessionToken)).userName).toBe('carol');
  });

  it('refuses a deactivated user with user_inactive', async () => {
    await putSettings(t, admin, settingsFor());
    const carol = await createUser(t, admin, { userName: 'dave', isActive: false });
    idp.addAccount({
      sub: 'sub-dave',
      password: 'dave-pw',
      claims: { preferred_username: 'dave' },
    });
    expect(await refusal('sub-dave', 'dave-pw')).toBe('user_inactive');
    expect(carol.isActive).toBe(false);
  });

  it('answers 403 oidc_not_enabled in password mode', async () => {
    await putSettings(t, admin, { method: 'password' });
    const response = await api(t, 'get', '/api/v1/auth/oidc/login');
    expect(response.status).toBe(403);
    expect(response.body.error).toBe('oidc_not_enabled');
  });

  it('logs ID token header and claims at debug level, never a token, code or secret', () => {
    const text = t.logs.text();
    expect(text).toContain('ID token header');
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
  });
});
