import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { type LocalIdp, startLocalIdp } from '../../src/demo/local-idp.js';
import { api, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, signInAtIdp } from '../support/browser-session.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SECRET = 'adapter-provider-secret-0123456789ab';

describe.each(['express', 'fastify'] as const)('a provider besides default on %s', (adapter) => {
  let t: TestApp;
  let idp: LocalIdp;
  let siteUrl: string;
  let admin: string;

  beforeAll(async () => {
    const port = await freePort();
    siteUrl = `http://127.0.0.1:${port}`;
    idp = await startLocalIdp({
      clients: [
        {
          client_id: 'second-app',
          client_secret: SECRET,
          redirect_uris: [`${siteUrl}/api/v1/auth/oidc/second/callback`],
        },
      ],
      accounts: [{ sub: 'sub-pia', password: 'pia-pw', claims: { preferred_username: 'pia' } }],
    });
    t = await startTestApp({ port, siteUrl, adapter });
    admin = await loginAsAdmin(t);
    const oidc = {
      clientId: 'second-app',
      clientSecret: SECRET,
      issuer: idp.issuer,
      authorizationEndpoint: `${idp.issuer}/auth`,
      tokenEndpoint: `${idp.issuer}/token`,
      jwksEndpoint: `${idp.issuer}/jwks`,
      usernameClaim: 'preferred_username',
      createUser: true,
    };
    // `default` points at the same IdP under another client: only the provider's URI is registered.
    await putSettings(t, admin, { method: 'oidc', oidc: { ...oidc, clientId: 'not-registered' } });
    await api(t, 'post', '/api/v1/admin/authentication/providers', admin)
      .send({ id: 'second', label: 'Second', oidc })
      .expect(201);
  });

  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  it('signs in through /auth/oidc/second/login and its own callback', async () => {
    const browser = new BrowserSession();
    const start = await browser.request(`${t.baseUrl}/api/v1/auth/oidc/second/login`);
    expect(start.status, start.body).toBe(302);
    const authorize = new URL(start.location!);
    expect(authorize.searchParams.get('client_id')).toBe('second-app');
    expect(authorize.searchParams.get('redirect_uri')).toBe(
      `${siteUrl}/api/v1/auth/oidc/second/callback`,
    );
    const origin = new URL(t.baseUrl).origin;
    const callback = await signInAtIdp(browser, start.location!, origin, {
      userName: 'pia',
      password: 'pia-pw',
    });
    expect(callback.status, callback.body).toBe(302);
    const token = browser.cookie(origin, 'auth_session');
    expect(token).toBeTruthy();
    const me = await api(t, 'get', '/api/v1/auth/me', token).expect(200);
    expect(me.body.userName).toBe('pia');
  });

  it('an id that is not a slug, or no provider, answers 404 not_found', async () => {
    const unknown = await api(t, 'get', '/api/v1/auth/oidc/missing/login').expect(404);
    expect(unknown.body.error).toBe('not_found');
    const notSlug = await api(t, 'get', '/api/v1/auth/oidc/Not_A_Slug/login').expect(404);
    expect(notSlug.body.error).toBe('not_found');
  });
});
