import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalIdp } from '../../src/demo/local-idp.js';
import { api, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import {
  discoveredOidcSettings,
  type LocalIdpSite,
  startLocalIdpSite,
} from '../support/local-idp-site.js';
import type { TestApp } from '../support/test-app.js';

const CLIENT_ID = 'server-log-app';
const CLIENT_SECRET = 'server-log-secret-0123456789abcdef';

/** The AuthLog lines at the default level (log and warn), one per recorded outcome. */
function authLogLines(t: TestApp): string[] {
  return t.logs.lines.filter((line) => /^(log|warn) /.test(line) && line.includes('AuthLog'));
}

describe('server log: one line per sign-in, refusal, logout and throttle', () => {
  let idp: LocalIdp;
  let t: TestApp;
  let siteUrl: string;
  let site: LocalIdpSite;

  beforeAll(async () => {
    site = await startLocalIdpSite({
      client: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
      accounts: [{ sub: 'dora', password: 'dora-pw', claims: { preferred_username: 'dora' } }],
      app: { auth: { throttle: { perUserName: 3, perAddress: 100, windowSeconds: 900 } } },
    });
    ({ t, idp, siteUrl } = site);
    await putSettings(t, await loginAsAdmin(t), {
      method: 'oidc',
      oidc: await discoveredOidcSettings(idp, site.client, {
        userInfoEndpoint: null,
        usernameClaim: 'preferred_username',
        createUser: true,
      }),
    });
  });

  afterAll(async () => {
    await site?.close();
  });

  it('a wrong password is logged with its reason, user name and address, never the password', async () => {
    const password = 'Wrong-Pa55word-that-must-not-leak';
    await api(t, 'post', '/api/v1/auth/login').send({ username: 'admin', password }).expect(401);
    const line = authLogLines(t).find((l) => l.includes('reason=invalid_credentials'));
    expect(line).toBeDefined();
    expect(line).toMatch(
      /^warn .*password refused: reason=invalid_credentials user="admin" ip=\S+/,
    );
    expect(t.logs.text()).not.toContain(password);
  });

  it('throttling is logged as too_many_attempts', async () => {
    for (let i = 0; i < 4; i++)
      await api(t, 'post', '/api/v1/auth/login').send({ username: 'victim', password: `x${i}` });
    const response = await api(t, 'post', '/api/v1/auth/login').send({
      username: 'victim',
      password: 'y',
    });
    expect(response.status).toBe(429);
    expect(
      authLogLines(t).some((l) =>
        /password refused: reason=too_many_attempts user="victim" ip=\S+/.test(l),
      ),
    ).toBe(true);
  });

  it('an OIDC sign-in and the sign-out are logged; no token or secret appears anywhere', async () => {
    const browser = new BrowserSession();
    const signIn = await oidcSignIn(browser, t.baseUrl, { userName: 'dora', password: 'dora-pw' });
    expect(signIn.callback.status, signIn.callback.body).toBe(302);
    expect(
      authLogLines(t).some((l) => /^log .*oidc signed in: reason=ok user="dora"/.test(l)),
    ).toBe(true);

    const logout = await browser.request(`${t.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { origin: siteUrl },
    });
    expect(logout.status, logout.body).toBe(200);
    expect(
      authLogLines(t).some((l) => /^log .*logout signed out: reason=ok user="dora" ip=\S+/.test(l)),
    ).toBe(true);

    const text = t.logs.text();
    expect(text).not.toContain(signIn.sessionToken!);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(t.adminPassword);
    const { redirectUrl } = JSON.parse(logout.body) as { redirectUrl: string };
    const idToken = new URL(redirectUrl).searchParams.get('id_token_hint')!;
    expect(idToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(text).not.toContain(idToken);
    expect(text).not.toContain(idToken.split('.')[2]);
  });
});
