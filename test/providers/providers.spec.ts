import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { type LocalIdp, startLocalIdp } from '../../src/demo/local-idp.js';
import { api, createTeam, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import {
  BrowserSession,
  type BrowserResponse,
  oidcSignIn,
  signInAtIdp,
} from '../support/browser-session.js';
import { startLogoutTokenSigner } from '../support/logout-token-signer.js';
import { sessionStatus, within } from '../support/session-polling.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SECRET_A = 'provider-a-secret-0123456789abcdef';
const SECRET_B = 'provider-b-secret-0123456789abcdef';

type ProviderView = {
  id: string;
  label: string;
  enabled: boolean;
  readOnly: boolean;
  redirectUri: string;
  backchannelLogoutUri: string;
  loginUrl: string;
  clientSecretSet: boolean;
  oidc: Record<string, unknown>;
};

/** The IdP's end-session form, confirmed as the user pressing "yes". */
async function endIdpSession(browser: BrowserSession, issuer: string): Promise<BrowserResponse> {
  const page = await browser.request(`${issuer}/session/end`);
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
  if (!form) throw new Error(`no logout form (status ${page.status}): ${page.body.slice(0, 300)}`);
  const fields: Record<string, string> = { logout: 'yes' };
  for (const [input] of form[2].matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input)?.[1];
    if (name) fields[name] = /value="([^"]*)"/i.exec(input)?.[1] ?? '';
  }
  return browser.request(new URL(form[1], page.url).href, { form: fields });
}

/** `oidc` settings for a local IdP from its discovery document. */
async function oidcOf(
  idp: LocalIdp,
  clientId: string,
  clientSecret: string,
): Promise<Record<string, unknown>> {
  const discovery = (await (
    await fetch(`${idp.issuer}/.well-known/openid-configuration`)
  ).json()) as Record<string, string>;
  return {
    clientId,
    clientSecret,
    issuer: discovery.issuer,
    authorizationEndpoint: discovery.authorization_endpoint,
    tokenEndpoint: discovery.token_endpoint,
    userInfoEndpoint: discovery.userinfo_endpoint,
    jwksEndpoint: discovery.jwks_uri,
    endSessionEndpoint: discovery.end_session_endpoint,
    usernameClaim: 'preferred_username',
    createUser: true,
    groupClaim: 'groups',
    syncTeams: true,
    linkExistingUsers: 'userName',
  };
}

describe('several identity providers at once (two real oidc-provider instances)', () => {
  let t: TestApp;
  let idpA: LocalIdp;
  let idpB: LocalIdp;
  let siteUrl: string;
  let admin: string;
  let eng: { id: string };
  let ops: { id: string };

  const db = () => t.app.get(DataSource);
  const teamsOf = async (userName: string) =>
    (
      await db().query<{ name: string }[]>(
        `SELECT t.name FROM auth_team_membership m JOIN auth_team t ON t.id = m.team_id
           JOIN auth_user u ON u.id = m.user_id WHERE u.user_name = $1 ORDER BY t.name`,
        [userName],
      )
    ).map((row) => row.name);

  /** Signs in through provider B (`partners`) in `browser`; answers the callback and token. */
  const signInB = async (browser: BrowserSession, accept?: string) => {
    const start = await browser.request(`${t.baseUrl}/api/v1/auth/oidc/partners/login`);
    expect(start.status, start.body).toBe(302);
    expect(start.location?.startsWith(idpB.issuer)).toBe(true);
    const callback = await signInAtIdp(
      browser,
      start.location!,
      new URL(t.baseUrl).origin,
      { userName: 'alice', password: 'pw-b' },
      { accept },
    );
    return { callback, token: browser.cookie(new URL(t.baseUrl).origin, 'auth_session') };
  };
  const signInA = async (browser: BrowserSession) => {
    const result = await oidcSignIn(browser, t.baseUrl, { userName: 'alice', password: 'pw-a' });
    expect(result.callback.status, result.callback.body).toBe(302);
    return result.sessionToken!;
  };

  beforeAll(async () => {
    const port = await freePort();
    siteUrl = `http://127.0.0.1:${port}`;
    const client = (id: string, secret: string, callbackPath: string) => ({
      client_id: id,
      client_secret: secret,
      redirect_uris: [`${siteUrl}/api/v1/auth/oidc/${callbackPath}`],
      post_logout_redirect_uris: [siteUrl],
      backchannel_logout_uri: `${siteUrl}/api/v1/backchannelLogout`,
      backchannel_logout_session_required: true,
    });
    idpA = await startLocalIdp({
      clients: [client('app-a', SECRET_A, 'callback')],
      accounts: [
        {
          sub: 'alice-at-a',
          password: 'pw-a',
          claims: { preferred_username: 'alice', email: 'alice@a.example', groups: ['eng'] },
        },
      ],
    });
    idpB = await startLocalIdp({
      clients: [client('app-b', SECRET_B, 'partners/callback')],
      accounts: [
        {
          sub: 'alice-at-b',
          password: 'pw-b',
          claims: { preferred_username: 'alice', email: 'alice@b.example', groups: ['ops'] },
        },
      ],
    });
    t = await startTestApp({ port, siteUrl });
    admin = await loginAsAdmin(t);
    eng = await createTeam(t, admin, 'Engineering');
    ops = await createTeam(t, admin, 'Operations');
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: {
        ...(await oidcOf(idpA, 'app-a', SECRET_A)),
        teamMapping: [{ teamId: eng.id, group: 'eng' }],
        autoRedirect: true,
      },
    });
    const created = await api(t, 'post', '/api/v1/admin/authentication/providers', admin).send({
      id: 'partners',
      label: 'Partners',
      oidc: {
        ...(await oidcOf(idpB, 'app-b', SECRET_B)),
        teamMapping: [{ teamId: ops.id, group: 'ops' }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  });

  afterAll(async () => {
    await t?.close();
    await idpA?.stop();
    await idpB?.stop();
  });

  it('lists default first (read-only) and the added provider with its own URIs, never a secret', async () => {
    const list = await api(t, 'get', '/api/v1/admin/authentication/providers', admin).expect(200);
    const providers = list.body as ProviderView[];
    expect(providers.map((p) => [p.id, p.readOnly, p.enabled])).toEqual([
      ['default', true, true],
      ['partners', false, true],
    ]);
    expect(providers[0].redirectUri).toBe(`${siteUrl}/api/v1/auth/oidc/callback`);
    expect(providers[1]).toMatchObject({
      label: 'Partners',
      clientSecretSet: true,
      redirectUri: `${siteUrl}/api/v1/auth/oidc/partners/callback`,
      backchannelLogoutUri: `${siteUrl}/api/v1/backchannelLogout`,
      loginUrl: `${siteUrl}/api/v1/auth/oidc/partners/login`,
    });
    expect(providers[1].oidc.issuer).toBe(idpB.issuer);
    expect(JSON.stringify(list.body)).not.toContain(SECRET_A);
    expect(JSON.stringify(list.body)).not.toContain(SECRET_B);
    expect(t.logs.text()).not.toContain(SECRET_B);
  });

  it('refuses bad provider bodies with field errors, and default through these routes', async () => {
    const post = (body: unknown) =>
      api(t, 'post', '/api/v1/admin/authentication/providers', admin).send(body as object);
    const valid = { label: 'X', oidc: await oidcOf(idpB, 'app-b', SECRET_B) };
    const bad = await post({ ...valid, id: 'Not A Slug' }).expect(400);
    expect(bad.body.error).toBe('validation_failed');
    expect(Object.keys(bad.body.fields as object)).toContain('id');
    expect((await post({ ...valid, id: 'default' }).expect(400)).body.fields.id).toBeTruthy();
    expect((await post({ ...valid, id: 'partners' }).expect(409)).body.error).toBe('conflict');
    const incomplete = await post({ id: 'half', label: 'Half', oidc: { clientId: 'c' } }).expect(
      400,
    );
    expect(Object.keys(incomplete.body.fields as object)).toEqual(
      expect.arrayContaining(['oidc.issuer', 'oidc.authorizationEndpoint', 'oidc.tokenEndpoint']),
    );
    const siteWide = await post({
      ...valid,
      id: 'sitewide',
      oidc: { ...valid.oidc, fallback: false },
    });
    expect(siteWide.status).toBe(400);
    expect(Object.keys(siteWide.body.fields as object)).toEqual(['oidc.fallback']);
    const noLabel = await post({ ...valid, id: 'nolabel', label: '' }).expect(400);
    expect(Object.keys(noLabel.body.fields as object)).toEqual(['label']);

    await api(t, 'put', '/api/v1/admin/authentication/providers/default', admin)
      .send({ label: 'x' })
      .expect(409);
    await api(t, 'delete', '/api/v1/admin/authentication/providers/default', admin).expect(409);
    await api(t, 'get', '/api/v1/admin/authentication/providers/nope', admin).expect(404);
    await api(t, 'get', '/api/v1/auth/oidc/nope/login').expect(404);
    const count = await db().query<{ n: number }[]>('SELECT count(*)::int AS n FROM auth_provider');
    expect(count[0].n).toBe(1);
  });

  it('GET /auth/methods lists every enabled provider; autoRedirect only while there is one', async () => {
    const methods = (await api(t, 'get', '/api/v1/auth/methods').expect(200)).body as {
      autoRedirect: boolean;
      providers: { id: string; label: string; loginUrl: string }[];
    };
    expect(methods.providers).toEqual([
      {
        id: 'default',
        label: expect.any(String) as string,
        loginUrl: `${siteUrl}/api/v1/auth/oidc/login`,
      },
      { id: 'partners', label: 'Partners', loginUrl: `${siteUrl}/api/v1/auth/oidc/partners/login` },
    ]);
    expect(methods.autoRedirect).toBe(false);

    await api(t, 'put', '/api/v1/admin/authentication/providers/partners', admin)
      .send({ enabled: false })
      .expect(200);
    const alone = (await api(t, 'get', '/api/v1/auth/methods').expect(200)).body as {
      autoRedirect: boolean;
      providers: unknown[];
    };
    expect(alone.providers).toHaveLength(1);
    expect(alone.autoRedirect).toBe(true);
    const refused = await api(t, 'get', '/api/v1/auth/oidc/partners/login').expect(403);
    expect(refused.body.error).toBe('oidc_not_enabled');
    await api(t, 'put', '/api/v1/admin/authentication/providers/partners', admin)
      .send({ enabled: true })
      .expect(200);
  });

  it('one user signs in through both; each provider keeps only the teams it added', async () => {
    await signInA(new BrowserSession());
    expect(await teamsOf('alice')).toEqual(['Engineering']);

    const viaB = await signInB(new BrowserSession());
    expect(viaB.callback.status, viaB.callback.body).toBe(302);
    expect(viaB.token).toBeTruthy();
    expect(await teamsOf('alice')).toEqual(['Engineering', 'Operations']);
    const users = await db().query<{ id: string }[]>(
      "SELECT id FROM auth_user WHERE user_name = 'alice'",
    );
    expect(users).toHaveLength(1);
    const identities = (
      await api(t, 'get', `/api/v1/admin/users/${users[0].id}/identities`, admin).expect(200)
    ).body as { issuer: string; subject: string }[];
    expect(identities.map((i) => [i.issuer, i.subject]).sort()).toEqual(
      [
        [idpA.issuer, 'alice-at-a'],
        [idpB.issuer, 'alice-at-b'],
      ].sort(),
    );

    // A sign-in through A (whose groups do not map to Operations) leaves B's team alone.
    await signInA(new BrowserSession());
    expect(await teamsOf('alice')).toEqual(['Engineering', 'Operations']);

    // B no longer sends the group: only B's own membership goes.
    idpB.setClaims('alice-at-b', { preferred_username: 'alice', groups: [] });
    expect((await signInB(new BrowserSession())).token).toBeTruthy();
    expect(await teamsOf('alice')).toEqual(['Engineering']);
    idpB.setClaims('alice-at-b', { preferred_username: 'alice', groups: ['ops'] });
    expect((await signInB(new BrowserSession())).token).toBeTruthy();
    expect(await teamsOf('alice')).toEqual(['Engineering', 'Operations']);
  });

  it('a login started at provider A never finishes at provider B, nor the other way round', async () => {
    const browser = new BrowserSession();
    const start = await browser.request(`${t.baseUrl}/api/v1/auth/oidc/login`);
    expect(start.status).toBe(302);
    const stateA = new URL(start.location!).searchParams.get('state')!;
    expect(stateA).toBeTruthy();
    const atB = await browser.request(
      `${t.baseUrl}/api/v1/auth/oidc/partners/callback?code=anything&state=${encodeURIComponent(stateA)}&iss=${encodeURIComponent(idpB.issuer)}`,
      { headers: { accept: 'application/json' } },
    );
    expect(atB.status).toBe(401);
    expect((JSON.parse(atB.body) as { error: string }).error).toBe('state_mismatch');

    // B's real authorization response delivered to A's callback (without the iss that would name B).
    const other = new BrowserSession();
    const startB = await other.request(`${t.baseUrl}/api/v1/auth/oidc/partners/login`);
    let response: BrowserResponse = await other.request(startB.location!);
    for (let step = 0; step < 10 && response.status !== 200; step++)
      response = await other.request(response.location!);
    const action = /<form method="post" action="([^"]+)"/.exec(response.body)![1];
    response = await other.request(new URL(action, response.url).href, {
      form: { login: 'alice', password: 'pw-b' },
    });
    while (response.location && !response.location.startsWith(t.baseUrl))
      response = await other.request(response.location);
    const callback = new URL(response.location!);
    expect(callback.pathname).toBe('/api/v1/auth/oidc/partners/callback');
    const atA = new URL(`${t.baseUrl}/api/v1/auth/oidc/callback`);
    for (const [key, value] of callback.searchParams)
      if (key !== 'iss') atA.searchParams.set(key, value);
    const refused = await other.request(atA.href, { headers: { accept: 'application/json' } });
    expect(refused.status).toBe(401);
    expect((JSON.parse(refused.body) as { error: string }).error).toBe('state_mismatch');
    expect(other.cookie(new URL(t.baseUrl).origin, 'auth_session')).toBeUndefined();
    // Identical refusals from one address are folded into one entry with a count.
    const log = (await api(t, 'get', '/api/v1/admin/auth-log?reason=state_mismatch', admin))
      .body as { count?: number }[];
    expect(log.reduce((sum, entry) => sum + (entry.count ?? 1), 0)).toBeGreaterThanOrEqual(2);
  });

  it("a back-channel logout from B ends only B's sessions; RP logout goes to the session's own IdP", async () => {
    const browserA = new BrowserSession();
    const browserB = new BrowserSession();
    const tokenA = await signInA(browserA);
    const { token: tokenB } = await signInB(browserB);
    expect(await sessionStatus(t, tokenA)).toBe(200);
    expect(await sessionStatus(t, tokenB!)).toBe(200);

    const ended = await endIdpSession(browserB, idpB.issuer);
    expect(ended.status).toBeGreaterThanOrEqual(300);
    expect(await within(10_000, async () => (await sessionStatus(t, tokenB!)) === 401)).toBe(true);
    expect(await sessionStatus(t, tokenA)).toBe(200);

    const second = new BrowserSession();
    await signInB(second);
    const logout = await second.request(`${t.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { origin: siteUrl },
    });
    expect(logout.status, logout.body).toBe(200);
    const redirect = new URL((JSON.parse(logout.body) as { redirectUrl: string }).redirectUrl);
    expect(redirect.origin).toBe(new URL(idpB.issuer).origin);
    expect(redirect.searchParams.get('client_id')).toBe('app-b');
    expect(redirect.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await sessionStatus(t, tokenA)).toBe(200);
  });

  it('a logout token of an unknown issuer is 400 invalid_request', async () => {
    const stranger = await startLogoutTokenSigner('app-b');
    try {
      const token = await stranger.sign(stranger.claims());
      const response = await fetch(`${t.baseUrl}/api/v1/backchannelLogout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    } finally {
      await stranger.close();
    }
  });

  it("changing B drops only B's pending logins; a deleted team leaves B's mapping", async () => {
    const origin = new URL(t.baseUrl).origin;
    const browserA = new BrowserSession();
    const browserB = new BrowserSession();
    const startA = await browserA.request(`${t.baseUrl}/api/v1/auth/oidc/login`);
    const startB = await browserB.request(`${t.baseUrl}/api/v1/auth/oidc/partners/login`);
    const changed = await api(t, 'put', '/api/v1/admin/authentication/providers/partners', admin)
      .send({ oidc: { scopes: ['profile', 'email', 'groups'] } })
      .expect(200);
    expect(changed.body.version).toBeGreaterThan(1);
    const json = { accept: 'application/json' };
    const credentialsB = { userName: 'alice', password: 'pw-b' };
    const atB = await signInAtIdp(browserB, startB.location!, origin, credentialsB, json);
    expect((JSON.parse(atB.body) as { error: string }).error).toBe('state_expired');
    const credentialsA = { userName: 'alice', password: 'pw-a' };
    const atA = await signInAtIdp(browserA, startA.location!, origin, credentialsA, json);
    expect(atA.status, atA.body).toBe(302);

    const temp = await createTeam(t, admin, 'Temporary');
    await api(t, 'put', '/api/v1/admin/authentication/providers/partners', admin)
      .send({
        oidc: {
          teamMapping: [
            { teamId: ops.id, group: 'ops' },
            { teamId: temp.id, group: 'temp' },
          ],
        },
      })
      .expect(200);
    await api(t, 'delete', `/api/v1/admin/teams/${temp.id}`, admin).expect((r) =>
      expect([200, 204]).toContain(r.status),
    );
    const after = await api(t, 'get', '/api/v1/admin/authentication/providers/partners', admin);
    expect(after.body.oidc.teamMapping).toEqual([{ teamId: ops.id, group: 'ops' }]);
  });

  it("a test sign-in through B runs at B's callback, creates no session, and never finishes at A's", async () => {
    const origin = new URL(t.baseUrl).origin;
    const startTest = async () => {
      const started = await api(
        t,
        'post',
        '/api/v1/admin/authentication/providers/partners/test-sign-in',
        admin,
      ).send({ oidc: {} });
      expect(started.status, JSON.stringify(started.body)).toBe(201);
      const binding = /auth_login_state_test=([^;]+)/.exec(
        String(started.headers['set-cookie'] ?? ''),
      )?.[1];
      expect(binding).toBeTruthy();
      const browser = new BrowserSession();
      browser.setCookie(origin, 'auth_login_state_test', binding!);
      return { body: started.body as { id: string; authorizationUrl: string }, browser };
    };
    const { body, browser } = await startTest();
    expect(new URL(body.authorizationUrl).searchParams.get('redirect_uri')).toBe(
      `${siteUrl}/api/v1/auth/oidc/partners/callback`,
    );
    const callback = await signInAtIdp(browser, body.authorizationUrl, origin, {
      userName: 'alice',
      password: 'pw-b',
    });
    expect(callback.location).toContain(`/admin/test-sign-in?id=${body.id}`);
    expect(browser.cookie(origin, 'auth_session')).toBeUndefined();
    const report = await api(
      t,
      'get',
      `/api/v1/admin/authentication/test-sign-in/${body.id}`,
      admin,
    ).expect(200);
    expect(report.body.result).toMatchObject({ outcome: 'signed_in', userName: 'alice' });

    const other = await startTest();
    const state = new URL(other.body.authorizationUrl).searchParams.get('state')!;
    const atA = await other.browser.request(
      `${t.baseUrl}/api/v1/auth/oidc/callback?code=x&state=${encodeURIComponent(state)}`,
    );
    expect(atA.location).toContain('/admin/test-sign-in?error=state_mismatch');
  });

  it("deleting B ends B's sessions and keeps the user, its identities and A's sessions", async () => {
    const tokenA = await signInA(new BrowserSession());
    const { token: tokenB } = await signInB(new BrowserSession());
    expect(await sessionStatus(t, tokenB!)).toBe(200);

    const deleted = await api(
      t,
      'delete',
      '/api/v1/admin/authentication/providers/partners',
      admin,
    ).expect(200);
    expect(deleted.body.id).toBe('partners');
    expect(deleted.body.sessionsRevoked).toBeGreaterThanOrEqual(1);
    expect(await within(5000, async () => (await sessionStatus(t, tokenB!)) === 401)).toBe(true);
    expect(await sessionStatus(t, tokenA)).toBe(200);

    const users = await db().query<{ id: string }[]>(
      "SELECT id FROM auth_user WHERE user_name = 'alice'",
    );
    expect(users).toHaveLength(1);
    const identities = await db().query<{ issuer: string }[]>(
      'SELECT issuer FROM auth_identity WHERE user_id = $1',
      [users[0].id],
    );
    expect(identities).toHaveLength(2);
    await api(t, 'get', '/api/v1/auth/oidc/partners/login').expect(404);
    const methods = (await api(t, 'get', '/api/v1/auth/methods')).body as { providers: unknown[] };
    expect(methods.providers).toHaveLength(1);
  });
});
