import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalIdp } from '../../src/demo/local-idp.js';
import { api, createUser, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, type BrowserResponse, oidcSignIn } from '../support/browser-session.js';
import { within } from '../support/session-polling.js';
import {
  discoveredOidcSettings,
  type LocalIdpSite,
  startLocalIdpSite,
} from '../support/local-idp-site.js';
import type { TestApp } from '../support/test-app.js';
import { HOST_KEY, hostRoot } from './host-app.js';

const CLIENT_ID = 'adapter-app';
const CLIENT_SECRET = 'adapter-app-secret-0123456789abcdef';

/** Confirms sign-out on the IdP's end-session page (as the user clicking "yes"). */
async function confirmIdpLogout(
  browser: BrowserSession,
  page: BrowserResponse,
): Promise<BrowserResponse> {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
  if (!form) throw new Error(`no logout form (status ${page.status})`);
  const fields: Record<string, string> = {};
  for (const [input] of form[2].matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input)?.[1];
    if (name) fields[name] = /value="([^"]*)"/i.exec(input)?.[1] ?? '';
  }
  return browser.request(new URL(form[1], page.url).href, { form: { ...fields, logout: 'yes' } });
}

function cookieOf(setCookie: string[] | string | undefined, name: string): string | undefined {
  const all = ([] as string[]).concat(setCookie ?? []);
  const line = all.find((value) => value.startsWith(`${name}=`));
  return line ? line.slice(name.length + 1).split(';')[0] : undefined;
}

describe.each(['express', 'fastify'] as const)('the HTTP surface on %s', (adapter) => {
  let t: TestApp;
  let idp: LocalIdp;
  let admin: string;
  let siteUrl: string;
  let site: LocalIdpSite;

  beforeAll(async () => {
    // isGlobal: the host's own controllers (in another module) use SessionGuard and strategies.
    site = await startLocalIdpSite({
      client: {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_post',
      },
      accounts: [{ sub: 'sub-olga', password: 'olga-pw', claims: { preferred_username: 'olga' } }],
      backchannel: true,
      app: { adapter, rootModule: hostRoot, auth: { isGlobal: true } },
    });
    ({ t, idp, siteUrl } = site);
    admin = await loginAsAdmin(t);
  });

  afterAll(async () => {
    await site?.close();
  });

  it('password login sets an HttpOnly cookie and returns a token; both sign /auth/me in', async () => {
    const login = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: t.adminUserName, password: t.adminPassword })
      .expect(200);
    const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    expect(cookies.some((c) => /^auth_session=[\w-]+;.*HttpOnly/.test(c))).toBe(true);
    expect(login.headers['cache-control']).toBe('no-store');
    const token = login.body.token as string;
    const byBearer = await api(t, 'get', '/api/v1/auth/me', token).expect(200);
    expect(byBearer.body.userName).toBe(t.adminUserName);
    const byCookie = await api(t, 'get', '/api/v1/auth/me')
      .set(
        'Cookie',
        `other=1; auth_session=${cookieOf(login.headers['set-cookie'], 'auth_session')}`,
      )
      .expect(200);
    expect(byCookie.body.userName).toBe(t.adminUserName);
  });

  it('a wrong password answers 401 invalid_credentials', async () => {
    const refused = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: t.adminUserName, password: 'wrong-password' })
      .expect(401);
    expect(refused.body.error).toBe('invalid_credentials');
  });

  it('answers 401 without a session and 403 for a non-admin on the admin API', async () => {
    expect((await api(t, 'get', '/api/v1/auth/me').expect(401)).body.error).toBe('unauthenticated');
    const onHostRoute = await api(t, 'get', '/api/v1/host/seen').expect(401);
    expect(onHostRoute.body).toMatchObject({ error: 'unauthenticated' });
    const user = await createUser(t, admin);
    const login = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: user.userName, password: user.password })
      .expect(200);
    const forbidden = await api(t, 'get', '/api/v1/admin/users', login.body.token).expect(403);
    expect(forbidden.body.error).toBe('forbidden');
  });

  it("a host global guard runs after the module's and sees req.user", async () => {
    const seen = await api(t, 'get', '/api/v1/host/seen', admin).expect(200);
    expect(seen.body.seenByHostGuard).toBe(t.adminUserName);
  });

  it("AuthGuard(['auth-session', 'host-key']) passes with a session or the host's strategy", async () => {
    const bySession = await api(t, 'get', '/api/v1/host/composed', admin).expect(200);
    expect(bySession.body).toEqual({ userName: t.adminUserName, viaSession: true });
    const byKey = await api(t, 'get', '/api/v1/host/composed').set('x-host-key', HOST_KEY);
    expect(byKey.status).toBe(200);
    expect(byKey.body).toEqual({ userName: 'api-client', viaSession: false });
    await api(t, 'get', '/api/v1/host/composed').set('x-host-key', 'wrong').expect(401);
    await api(t, 'get', '/api/v1/host/composed', 'not-a-session').expect(401);
  });

  it("a host's own exception comes back unchanged", async () => {
    const failed = await api(t, 'get', '/api/v1/host/fail').expect(400);
    expect(failed.body).toEqual({ code: 'MY_APP_CODE', detail: 'the host said no' });
  });

  it('admin settings: GET and PUT; bad JSON 400 invalid_json, 413 and 415', async () => {
    const view = await api(t, 'get', '/api/v1/admin/authentication', admin).expect(200);
    expect(view.body.method).toBeDefined();
    const put = await api(t, 'put', '/api/v1/admin/authentication', admin)
      .send({ method: 'password' })
      .expect(200);
    expect(put.body.method).toBe('password');
    const badJson = await api(t, 'put', '/api/v1/admin/authentication', admin)
      .set('Content-Type', 'application/json')
      .send('{"method":')
      .expect(400);
    expect(badJson.body.error).toBe('invalid_json');
    const tooLarge = await api(t, 'put', '/api/v1/admin/authentication', admin)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ method: 'password', pad: 'x'.repeat(70 * 1024) }))
      .expect(413);
    expect(tooLarge.body.error).toBe('payload_too_large');
    const wrongType = await api(t, 'put', '/api/v1/admin/authentication', admin)
      .set('Content-Type', 'text/plain')
      .send('method=password')
      .expect(415);
    expect(wrongType.body.error).toBe('unsupported_media_type');
    const form = await api(t, 'post', '/api/v1/auth/login')
      .type('form')
      .send({ username: t.adminUserName, password: t.adminPassword })
      .expect(415);
    expect(form.body.error).toBe('unsupported_media_type');
  });

  it('a JSON body nested 30 000 deep answers 4xx, never 500, on every JSON route', async () => {
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    for (const [method, path, token] of [
      ['post', '/api/v1/auth/login', undefined],
      ['put', '/api/v1/admin/authentication', admin],
      ['post', '/api/v1/admin/users', admin],
      ['post', '/api/v1/admin/authentication/discover', admin],
    ] as const) {
      for (const body of [deep, `{"username":${deep},"password":"x"}`]) {
        const answer = await api(t, method, path, token)
          .set('Content-Type', 'application/json')
          .send(body);
        expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBeGreaterThanOrEqual(
          400,
        );
        expect(answer.status, path).toBeLessThan(500);
        expect(['invalid_json', 'validation_failed']).toContain(answer.body.error);
      }
    }
  });

  it('refuses a cookie state change from a foreign Origin', async () => {
    const login = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: t.adminUserName, password: t.adminPassword })
      .expect(200);
    const cookie = `auth_session=${cookieOf(login.headers['set-cookie'], 'auth_session')}`;
    const refused = await api(t, 'post', '/api/v1/auth/logout')
      .set('Cookie', cookie)
      .set('Origin', 'https://evil.example')
      .expect(403);
    expect(refused.body.error).toBe('csrf_rejected');
    const done = await api(t, 'post', '/api/v1/auth/logout')
      .set('Cookie', cookie)
      .set('Origin', siteUrl)
      .expect(200);
    expect(
      ([] as string[])
        .concat(done.headers['set-cookie'] ?? [])
        .some((c) => /^auth_session=;.*Expires=Thu, 01 Jan 1970/.test(c)),
    ).toBe(true);
    await api(t, 'get', '/api/v1/auth/me').set('Cookie', cookie).expect(401);
  });

  it('back-channel logout refuses bad bodies with 400 invalid_request', async () => {
    const asJson = await api(t, 'post', '/api/v1/backchannelLogout')
      .set('Content-Type', 'application/json')
      .send('{"logout_token":"x"}')
      .expect(400);
    expect(asJson.body.error).toBe('invalid_request');
    const badJson = await api(t, 'post', '/api/v1/backchannelLogout')
      .set('Content-Type', 'application/json')
      .send('{"logout_token":')
      .expect(400);
    expect(badJson.body.error).toBe('invalid_request');
    const tooLarge = await api(t, 'post', '/api/v1/backchannelLogout')
      .type('form')
      .send(`logout_token=${'x'.repeat(20 * 1024)}`)
      .expect(400);
    expect(tooLarge.body.error).toBe('invalid_request');
    const wrongType = await api(t, 'post', '/api/v1/backchannelLogout')
      .set('Content-Type', 'text/plain')
      .send('logout_token=x')
      .expect(400);
    expect(wrongType.body.error).toBe('invalid_request');
    const missing = await api(t, 'post', '/api/v1/backchannelLogout')
      .type('form')
      .send('other=1')
      .expect(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
  });

  it('OIDC login and callback against oidc-provider; the IdP ends it over the back channel', async () => {
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: await discoveredOidcSettings(idp, site.client, {
        tokenEndpointAuthMethod: 'client_secret_post',
        usernameClaim: 'preferred_username',
        createUser: true,
        pkce: true,
      }),
    });
    const browser = new BrowserSession();
    const { callback, sessionToken } = await oidcSignIn(
      browser,
      t.baseUrl,
      { userName: 'sub-olga', password: 'olga-pw' },
      { returnTo: '/hello/me' },
    );
    expect(callback.status, callback.body).toBe(302);
    expect(callback.location).toBe(`${siteUrl}/hello/me`);
    expect(sessionToken).toBeTruthy();
    const me = await api(t, 'get', '/api/v1/auth/me', sessionToken).expect(200);
    expect(me.body.userName).toBe('olga');

    // The IdP POSTs a form-encoded logout token to /backchannelLogout.
    const endPage = await browser.request(`${idp.issuer}/session/end`);
    const confirmed = await confirmIdpLogout(browser, endPage);
    expect(confirmed.status).toBeGreaterThanOrEqual(300);
    const revoked = await within(10_000, async () => {
      return (await api(t, 'get', '/api/v1/auth/me', sessionToken)).status === 401;
    });
    expect(revoked).toBe(true);
    const log = await api(t, 'get', '/api/v1/admin/auth-log', admin).expect(200);
    const rows = log.body as { method: string; success: boolean }[];
    expect(rows.some((row) => row.method === 'backchannel' && row.success)).toBe(true);
    await putSettings(t, admin, { method: 'password' });
  });

  it('a refused OIDC callback answers JSON clients with the code', async () => {
    const answer = await api(t, 'get', '/api/v1/auth/oidc/callback?state=x&code=y')
      .set('Accept', 'application/json')
      .expect(403);
    expect(answer.body.error).toBe('oidc_not_enabled');
  });
});
