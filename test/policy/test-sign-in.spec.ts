import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIdp, type LocalIdp } from '../../src/demo/local-idp.js';
import {
  api,
  createTeam,
  createUser,
  loginAs,
  loginAsAdmin,
  putSettings,
} from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn, signInAtIdp } from '../support/browser-session.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SECRET = 'local-idp-client-secret-0123456789';
const TEST_COOKIE = 'auth_login_state_test';
const ALL_CHECKS = [
  'authorization response',
  'state',
  'token request',
  'signature',
  'iss',
  'aud',
  'azp',
  'exp/iat/nbf',
  'nonce',
  'sub',
  'auth_time/max_age',
  'userinfo',
  'sub match',
  'user-name claim',
  'policy',
];

interface Report {
  id: string;
  status: string;
  checks: { name: string; ok: boolean; code?: string; message?: string }[];
  idToken: { header: Record<string, unknown>; claims: Record<string, unknown> } | null;
  userInfo: Record<string, unknown> | null;
  result: {
    outcome: string;
    code?: string;
    plan: {
      userName: string;
      action: string;
      teamsAdded: string[];
      teamsRemoved: string[];
      isAdmin: boolean;
    } | null;
    userName: string | null;
  } | null;
}

describe('Test sign-in (admin API) against a real oidc-provider', () => {
  let t: TestApp;
  let idp: LocalIdp;
  let admin: string;
  let eng: { id: string; name: string };
  let everyone: { id: string; name: string };
  let appOrigin: string;

  const formSettings = (overrides: Record<string, unknown> = {}) => ({
    oidc: {
      clientId: 'rp-post',
      clientSecret: SECRET,
      issuer: idp.issuer,
      authorizationEndpoint: `${idp.issuer}/auth`,
      tokenEndpoint: `${idp.issuer}/token`,
      jwksEndpoint: `${idp.issuer}/jwks`,
      userInfoEndpoint: `${idp.issuer}/me`,
      usernameClaim: 'preferred_username',
      scopes: ['profile', 'email'],
      createUser: true,
      sync: true,
      groupClaim: 'groups',
      syncTeams: true,
      teamMapping: [
        { teamId: eng.id, group: 'engineering' },
        { teamId: everyone.id, group: '' },
      ],
      ...overrides,
    },
  });

  /** Every row of the tables a sign-in may change, to compare before and after. */
  const snapshot = async () => {
    const db = t.app.get(DataSource);
    const tables = ['auth_user', 'auth_team_membership', 'auth_session', 'auth_settings'];
    const [{ exists }] = await db.query<{ exists: boolean }[]>(
      `SELECT to_regclass('auth_identity') IS NOT NULL AS exists`,
    );
    if (exists) tables.push('auth_identity');
    const rows: Record<string, unknown> = {};
    for (const table of tables)
      rows[table] = await db.query(`SELECT * FROM ${table} ORDER BY 1, 2`);
    return rows;
  };

  /** Starts a test as `token`, runs the IdP sign-in in a fresh browser; answers the callback. */
  const runTest = async (
    body: Record<string, unknown>,
    credentials = { userName: 'sub-alice', password: 'alice-pw' },
    token = admin,
  ) => {
    const started = await api(t, 'post', '/api/v1/admin/authentication/test-sign-in', token).send(
      body,
    );
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const browser = new BrowserSession();
    const cookie = String(started.headers['set-cookie'] ?? '');
    const binding = new RegExp(`${TEST_COOKIE}=([^;]+)`).exec(cookie)?.[1];
    expect(binding).toBeTruthy();
    browser.setCookie(appOrigin, TEST_COOKIE, binding!);
    const callback = await signInAtIdp(
      browser,
      started.body.authorizationUrl as string,
      appOrigin,
      credentials,
    );
    return { started: started.body as { id: string; authorizationUrl: string }, callback, browser };
  };

  const reportOf = async (id: string, token = admin): Promise<Report> => {
    const response = await api(
      t,
      'get',
      `/api/v1/admin/authentication/test-sign-in/${id}`,
      token,
    ).expect(200);
    return response.body as Report;
  };

  beforeAll(async () => {
    t = await startTestApp();
    appOrigin = new URL(t.baseUrl).origin;
    idp = await startLocalIdp({
      clients: [
        {
          client_id: 'rp-post',
          client_secret: SECRET,
          redirect_uris: [`${t.baseUrl}/api/v1/auth/oidc/callback`],
          token_endpoint_auth_method: 'client_secret_post',
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
            groups: ['engineering'],
          },
        },
      ],
    });
    admin = await loginAsAdmin(t);
    eng = await createTeam(t, admin, 'Engineering');
    everyone = await createTeam(t, admin, 'Everyone');
  });

  afterAll(async () => {
    await idp?.stop();
    await t?.close();
  });

  it('with unsaved settings in password mode: every check passes, a plan, and nothing changes', async () => {
    const before = await snapshot();
    const { started, callback } = await runTest(formSettings());
    expect(callback.status).toBe(302);
    expect(callback.location).toBe(`${t.baseUrl}/admin/test-sign-in?id=${started.id}`);
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(callback.headers.getSetCookie().join('\n')).not.toContain('auth_session');

    const report = await reportOf(started.id);
    expect(report.status).toBe('done');
    expect(report.checks.map((check) => check.name)).toEqual(ALL_CHECKS);
    expect(report.checks.filter((check) => !check.ok)).toEqual([]);
    expect(report.idToken?.header).toMatchObject({ alg: 'RS256' });
    expect(report.idToken?.claims).toMatchObject({
      iss: idp.issuer,
      sub: 'sub-alice',
      aud: 'rp-post',
    });
    expect(report.userInfo).toMatchObject({ sub: 'sub-alice', email: 'alice@example.test' });
    expect(report.result).toMatchObject({ outcome: 'signed_in', userName: 'alice_smith_' });
    expect(report.result?.plan).toMatchObject({
      userName: 'alice_smith_',
      action: 'create',
      isAdmin: false,
    });
    expect([...report.result!.plan!.teamsAdded].sort()).toEqual([eng.id, everyone.id].sort());
    // Never a token or a signature: no compact JWT and no token field anywhere in the report.
    const text = JSON.stringify(report);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(text).not.toMatch(/"(id_token|access_token|refresh_token)"/);

    expect(await snapshot()).toEqual(before);
    const settings = await api(t, 'get', '/api/v1/admin/authentication', admin).expect(200);
    expect(settings.body.method).toBe('password');

    const log = await api(t, 'get', '/api/v1/admin/auth-log', admin).expect(200);
    expect(log.body[0]).toMatchObject({
      method: 'oidc_test',
      userName: 'alice_smith_',
      success: true,
      reason: 'ok',
      message: expect.stringMatching(/^Test sign-in: /),
    });
    // The server log says a test passed, never that someone signed in.
    const lines = t.logs.lines.filter((line) => line.includes('alice_smith_'));
    expect(lines.some((line) => line.includes('oidc_test test passed'))).toBe(true);
    expect(lines.filter((line) => line.includes('signed in'))).toEqual([]);
  });

  it('cannot be replayed, nor finish a real sign-in at the callback', async () => {
    // In oidc mode, so that the real sign-in would otherwise go ahead.
    await putSettings(t, admin, { method: 'oidc', ...formSettings() });
    const before = await snapshot();
    const { started, callback, browser } = await runTest(formSettings());
    expect(callback.location).toContain(`id=${started.id}`);
    const callbackUrl = callback.url;
    const replay = await browser.request(callbackUrl);
    expect(replay.status).toBe(302);
    expect(replay.location).toBe(`${t.baseUrl}/admin/test-sign-in?error=state_mismatch`);
    // The same code and state, without the test prefix, at the real sign-in: no such state.
    const stripped = new URL(callbackUrl);
    stripped.searchParams.set('state', stripped.searchParams.get('state')!.replace(/^test\./, ''));
    const real = await browser.request(stripped.href);
    expect(real.status).toBe(302);
    expect(real.location).toBe(`${t.baseUrl}/login?error=state_mismatch`);
    expect(browser.cookie(appOrigin, 'auth_session')).toBeUndefined();
    expect(await snapshot()).toEqual(before);
    const log = await api(t, 'get', '/api/v1/admin/auth-log', admin).expect(200);
    expect(log.body[0]).toMatchObject({ method: 'oidc', success: false, reason: 'state_mismatch' });
    expect(log.body[1]).toMatchObject({ method: 'oidc_test', reason: 'state_mismatch' });
    await putSettings(t, admin, { method: 'password' });
  });

  it('reports username_claim_missing for a wrong usernameClaim', async () => {
    const { started } = await runTest(formSettings({ usernameClaim: 'no_such_claim' }));
    const report = await reportOf(started.id);
    expect(report.checks.at(-1)).toMatchObject({
      name: 'user-name claim',
      ok: false,
      code: 'username_claim_missing',
    });
    expect(report.checks.slice(0, -1).every((check) => check.ok)).toBe(true);
    expect(report.result).toMatchObject({
      outcome: 'refused',
      code: 'username_claim_missing',
      plan: null,
    });
    const log = await api(t, 'get', '/api/v1/admin/auth-log', admin).expect(200);
    expect(log.body[0]).toMatchObject({
      method: 'oidc_test',
      success: false,
      reason: 'username_claim_missing',
    });
  });

  it('reports token_request_failed for a wrong client secret, and never echoes it', async () => {
    const wrong = 'wrong-secret-wrong-secret-0123456789';
    const { started } = await runTest(formSettings({ clientSecret: wrong }));
    const report = await reportOf(started.id);
    expect(report.checks.map((check) => check.name)).toEqual([
      'authorization response',
      'state',
      'token request',
    ]);
    expect(report.checks[2]).toMatchObject({ ok: false, code: 'token_request_failed' });
    expect(report.result).toMatchObject({ outcome: 'refused', code: 'token_request_failed' });
    expect(report.idToken).toBeNull();
    expect(JSON.stringify(report)).not.toContain(wrong);
    const row: { settings: unknown; client_secret_encrypted: string | null }[] = await t.app
      .get(DataSource)
      .query(`SELECT settings, client_secret_encrypted FROM auth_test_sign_in WHERE id = $1`, [
        started.id,
      ]);
    expect(JSON.stringify(row)).not.toContain(wrong);
  });

  it('reports iss_mismatch on the authorization response for a wrong issuer (RFC 9207)', async () => {
    const before = await snapshot();
    const { started } = await runTest(formSettings({ issuer: `${idp.issuer}/other` }));
    const report = await reportOf(started.id);
    // oidc-provider sends "iss" with the code; a real sign-in refuses it before the token request.
    expect(report.checks).toEqual([
      {
        name: 'authorization response',
        ok: false,
        code: 'iss_mismatch',
        message: expect.stringContaining('RFC 9207'),
      },
    ]);
    expect(report.result).toMatchObject({ outcome: 'refused', code: 'iss_mismatch' });
    expect(report.idToken).toBeNull();
    expect(await snapshot()).toEqual(before);
  });

  it('reports the IdP error on the authorization response check (prompt=none, no IdP session)', async () => {
    const { started, callback } = await runTest(formSettings({ prompt: 'none' }));
    expect(callback.location).toBe(`${t.baseUrl}/admin/test-sign-in?id=${started.id}`);
    const report = await reportOf(started.id);
    expect(report.checks).toEqual([
      {
        name: 'authorization response',
        ok: false,
        code: 'idp_error',
        message: expect.stringContaining('login_required'),
      },
    ]);
    expect(report.result).toMatchObject({ outcome: 'refused', code: 'idp_error' });
  });

  it('uses the stored client secret when the form leaves it out', async () => {
    await putSettings(t, admin, formSettings());
    const withoutSecret: Record<string, unknown> = { ...formSettings().oidc };
    delete withoutSecret.clientSecret;
    const { started } = await runTest({ oidc: withoutSecret });
    const report = await reportOf(started.id);
    expect(report.result).toMatchObject({ outcome: 'signed_in' });
  });

  it('refuses invalid settings with the same field errors as PUT', async () => {
    const body = formSettings({ issuer: 'ftp://nope', usernameClaim: 'a b' });
    const put = await api(t, 'put', '/api/v1/admin/authentication', admin).send(body).expect(400);
    const test = await api(t, 'post', '/api/v1/admin/authentication/test-sign-in', admin)
      .send(body)
      .expect(400);
    expect(test.body).toEqual(put.body);
    expect(Object.keys(test.body.fields).sort()).toEqual(['oidc.issuer', 'oidc.usernameClaim']);
  });

  it('refuses the state check when the IdP answer reaches another browser', async () => {
    const started = await api(t, 'post', '/api/v1/admin/authentication/test-sign-in', admin)
      .send(formSettings())
      .expect(201);
    // A browser without the binding cookie (e.g. a victim sent the link) gets nothing.
    const callback = await signInAtIdp(
      new BrowserSession(),
      started.body.authorizationUrl as string,
      appOrigin,
      { userName: 'sub-alice', password: 'alice-pw' },
    );
    expect(callback.location).toBe(`${t.baseUrl}/admin/test-sign-in?id=${started.body.id}`);
    const report = await reportOf(started.body.id as string);
    expect(report.checks.at(-1)).toMatchObject({
      name: 'state',
      ok: false,
      code: 'state_mismatch',
    });
    expect(report.idToken).toBeNull();
    expect(report.userInfo).toBeNull();
  });

  it('is for admins only: 403 for a regular user, 404 for another admin, pending before the IdP', async () => {
    const regular = await createUser(t, admin);
    const regularToken = await loginAs(t, regular.userName, regular.password);
    await api(t, 'post', '/api/v1/admin/authentication/test-sign-in', regularToken)
      .send(formSettings())
      .expect(403);
    await api(t, 'post', '/api/v1/admin/authentication/test-sign-in')
      .send(formSettings())
      .expect(401);
    const started = await api(t, 'post', '/api/v1/admin/authentication/test-sign-in', admin)
      .send(formSettings())
      .expect(201);
    expect(started.body).toEqual({
      id: expect.any(String),
      authorizationUrl: expect.stringMatching(new RegExp(`^${idp.issuer}/auth\\?`)),
      expiresAt: expect.any(String),
    });
    expect(new URL(started.body.authorizationUrl as string).searchParams.get('state')).toMatch(
      /^test\./,
    );
    expect(await reportOf(started.body.id as string)).toMatchObject({
      status: 'pending',
      checks: [],
    });
    const id = started.body.id as string;
    await api(t, 'get', `/api/v1/admin/authentication/test-sign-in/${id}`, regularToken).expect(
      403,
    );
    const other = await createUser(t, admin, { isAdmin: true });
    const otherToken = await loginAs(t, other.userName, other.password);
    const hidden = await api(
      t,
      'get',
      `/api/v1/admin/authentication/test-sign-in/${id}`,
      otherToken,
    );
    expect(hidden.status).toBe(404);
    expect(hidden.body.error).toBe('not_found');
    await api(t, 'get', '/api/v1/admin/authentication/test-sign-in/not-a-uuid', admin).expect(404);
  });

  it('previews what a real sign-in then does: same user name, teams and admin role', async () => {
    const { started } = await runTest(formSettings());
    const plan = (await reportOf(started.id)).result!.plan!;
    await putSettings(t, admin, { method: 'oidc', ...formSettings() });
    const { sessionToken } = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: 'sub-alice',
      password: 'alice-pw',
    });
    const me = await api(t, 'get', '/api/v1/auth/me', sessionToken).expect(200);
    expect(me.body.userName).toBe(plan.userName);
    expect(me.body.isAdmin).toBe(plan.isAdmin);
    expect(me.body.teams.map((team: { id: string }) => team.id).sort()).toEqual(
      [...plan.teamsAdded].sort(),
    );
    // Now the user exists: a second test previews "existing" with nothing to add.
    const again = await runTest(formSettings());
    expect((await reportOf(again.started.id)).result?.plan).toMatchObject({
      action: 'existing',
      userId: me.body.id,
      teamsAdded: [],
      teamsRemoved: [],
    });
    await putSettings(t, admin, { method: 'password' });
  });

  it('previews the admin role from adminGroups, and a real sign-in then grants it', async () => {
    idp.addAccount({
      sub: 'sub-dave',
      password: 'dave-pw',
      claims: { preferred_username: 'dave', groups: ['engineering'] },
    });
    const dave = { userName: 'sub-dave', password: 'dave-pw' };
    const policy = { allowAdminUser: true, adminGroups: ['engineering'] };
    const before = await snapshot();
    const { started } = await runTest(formSettings(policy), dave);
    const plan = (await reportOf(started.id)).result!.plan!;
    expect(plan).toMatchObject({ userName: 'dave', action: 'create', isAdmin: true });
    expect(await snapshot()).toEqual(before);
    await putSettings(t, admin, { method: 'oidc', ...formSettings(policy) });
    const { sessionToken } = await oidcSignIn(new BrowserSession(), t.baseUrl, dave);
    const me = await api(t, 'get', '/api/v1/auth/me', sessionToken).expect(200);
    expect(me.body).toMatchObject({ userName: plan.userName, isAdmin: plan.isAdmin });
    expect(me.body.teams.map((team: { id: string }) => team.id).sort()).toEqual(
      [...plan.teamsAdded].sort(),
    );
    await putSettings(t, admin, { method: 'password', oidc: { adminGroups: [] } });
  });

  it('reports group_not_allowed on the policy check, creating nobody', async () => {
    const before = await snapshot();
    const { started } = await runTest(formSettings({ allowedGroups: ['finance'] }));
    const report = await reportOf(started.id);
    expect(report.checks.at(-1)).toMatchObject({
      name: 'policy',
      ok: false,
      code: 'group_not_allowed',
    });
    expect(report.result).toMatchObject({ outcome: 'refused', code: 'group_not_allowed' });
    expect(await snapshot()).toEqual(before);
  });
});
