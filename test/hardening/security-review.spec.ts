// Security review against OAuth 2.0 / JWT best practice: one test per point, over real HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, createUser, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { call, cookieHeader, cookiesOf } from './support/http.js';
import { signIn, startLogin } from './support/oidc-flow.js';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Everything secret the suite handles; at the end no log line may contain any of them. */
const secrets = new Map<string, string>();
const remember = (value: string | undefined | null, label = 'secret') => {
  if (value && value.length >= 8) secrets.set(value, label);
};

/** A server that records every request it gets (an attacker's key host). */
async function startRecorder(
  body: unknown,
): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const server: Server = createServer((_request, response) => {
    state.hits++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get hits() {
      return state.hits;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('security review', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;

  const configure = (overrides: Record<string, unknown> = {}) =>
    putSettings(t, admin, {
      method: 'oidc',
      oidc: idp.settings({
        fallback: true,
        userInfoEndpoint: `${idp.issuer}/userinfo`,
        ...overrides,
      }),
    });

  beforeAll(async () => {
    t = await startTestApp({ auth: { jwksRefetchCooldownSeconds: 1 } });
    idp = await startCraftedIdp();
    admin = await loginAsAdmin(t);
    remember(admin, 'admin session token');
    remember(t.adminPassword, 'admin password');
    remember(idp.clientSecret, 'client secret');
    remember(t.secretKey, 'module secret key');
  });

  beforeEach(async () => {
    idp.onToken = async (request, self) => {
      const accessToken = `at-${randomUUID()}`;
      const idToken = await self.signRsa(self.claims(request));
      remember(request.form.get('code'), 'authorization code');
      remember(request.form.get('code_verifier'), 'PKCE verifier');
      remember(accessToken, 'access token');
      remember(idToken, 'ID token');
      remember(idToken.split('.')[2], 'ID token signature');
      return { access_token: accessToken, token_type: 'Bearer', id_token: idToken };
    };
    idp.jwks = [idp.key.publicJwk];
    idp.userInfo = { sub: 'sub-1', email: 'crafted@example.com' };
    await configure();
  });

  afterAll(async () => {
    await idp?.stop();
    await t?.close();
  });

  /** Signs in over OIDC; answers the callback and remembers every token it saw. */
  const oidcLogin = async (options: { returnTo?: string; accept?: string } = {}) => {
    const result = await signIn(t.baseUrl, options);
    remember(result.sessionToken, 'OIDC session token');
    remember(result.login.state, 'state');
    // The nonce is an ID-token claim, which debug mode may log (DESIGN 2.9); it is single use.
    remember(result.login.authorizeUrl.searchParams.get('code_challenge'), 'PKCE challenge');
    return result;
  };

  it('never returns the client secret: settings view, update answer, discovery', async () => {
    const put = await api(t, 'put', '/api/v1/admin/authentication', admin).send({
      method: 'oidc',
      oidc: idp.settings({ fallback: true }),
    });
    const get = await api(t, 'get', '/api/v1/admin/authentication', admin);
    const discover = await api(t, 'post', '/api/v1/admin/authentication/discover', admin).send({
      issuer: idp.issuer,
    });
    for (const answer of [put, get, discover]) {
      expect(answer.status, answer.text).toBeLessThan(300);
      expect(answer.text).not.toContain(idp.clientSecret);
      expect(answer.text).not.toContain('clientSecret"');
    }
    expect(get.body.clientSecretSet).toBe(true);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, and no token in the callback Location', async () => {
    const { callback, sessionToken } = await oidcLogin({ returnTo: '/me' });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/me');
    const line = callback.headers.getSetCookie().find((c) => c.startsWith('auth_session='));
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).not.toMatch(/;\s*Secure/i); // http site in this app
    expect(callback.headers.get('location')).not.toContain(sessionToken);
    const password = await call(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: t.adminUserName, password: t.adminPassword }),
    });
    remember((password.json as { token: string }).token, 'password session token');
    const pwLine = password.headers.getSetCookie().find((c) => c.startsWith('auth_session='));
    expect(pwLine).toMatch(/;\s*HttpOnly/i);
    expect(pwLine).toMatch(/;\s*SameSite=Lax/i);
  });

  it('marks every cookie Secure behind an https site URL', async () => {
    const secure = await startTestApp({ siteUrl: 'https://app.example.test' });
    try {
      const login = await call(`${secure.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: secure.adminUserName, password: secure.adminPassword }),
      });
      expect(login.status).toBe(200);
      const token = (login.json as { token: string }).token;
      const cookie = login.headers.getSetCookie().find((c) => c.startsWith('__Host-auth_session='));
      expect(cookie).toMatch(/;\s*Secure/i);
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      // __Host-: no sibling subdomain can plant or shadow it (Path=/, Secure, no Domain).
      expect(cookie).toMatch(/;\s*Path=\/(;|$)/i);
      expect(cookie).not.toMatch(/;\s*Domain=/i);
      await putSettings(secure, token, { method: 'oidc', oidc: idp.settings({ fallback: true }) });
      const start = await call(`${secure.baseUrl}/api/v1/auth/oidc/login`);
      expect(start.status).toBe(302);
      const state = start.headers
        .getSetCookie()
        .find((c) => c.startsWith('__Host-auth_login_state='));
      expect(state).toMatch(/;\s*Secure/i);
      expect(state).toMatch(/;\s*HttpOnly/i);
      expect(state).toMatch(/;\s*SameSite=Lax/i);
      expect(state).toMatch(/;\s*Path=\/(;|$)/i);
      expect(state).not.toMatch(/;\s*Domain=/i);
      // The redirect URI handed to the IdP is the https one.
      const authorize = new URL(start.headers.get('location') ?? '');
      expect(authorize.searchParams.get('redirect_uri')).toBe(
        'https://app.example.test/api/v1/auth/oidc/callback',
      );
      const logout = await call(`${secure.baseUrl}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      const cleared = logout.headers
        .getSetCookie()
        .find((c) => c.startsWith('__Host-auth_session='));
      expect(cleared).toMatch(/;\s*Secure/i);
    } finally {
      await secure.close();
    }
  });

  it('answers Cache-Control no-store and Referrer-Policy no-referrer on the OIDC start, callback and auth answers', async () => {
    const start = await startLogin(t.baseUrl);
    const { callback } = await oidcLogin();
    const failed = await call(`${t.baseUrl}/api/v1/auth/oidc/callback?code=x&state=y`, {
      headers: { accept: 'application/json' },
    });
    const failedHtml = await call(`${t.baseUrl}/api/v1/auth/oidc/callback?error=access_denied`);
    for (const answer of [start.start, callback, failed, failedHtml]) {
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const login = await call(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: t.adminUserName, password: t.adminPassword }),
    });
    const token = (login.json as { token: string }).token;
    remember(token, 'session token');
    const logout = await call(`${t.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    for (const answer of [login, logout]) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });

  it('issues a new session id at every login and ignores a planted one (fixation)', async () => {
    const planted = 'planted-session-value-0123456789abcdefghijklmnop';
    const tokens = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const answer = await call(`${t.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `auth_session=${planted}` },
        body: JSON.stringify({ username: t.adminUserName, password: t.adminPassword }),
      });
      const token = cookiesOf(answer).auth_session;
      remember(token, 'session token');
      expect(token).toBeTruthy();
      expect(token).not.toBe(planted);
      tokens.add(token);
    }
    expect(tokens.size).toBe(3);
    const first = await oidcLogin();
    const second = await oidcLogin();
    expect(first.sessionToken).toBeTruthy();
    expect(second.sessionToken).toBeTruthy();
    expect(second.sessionToken).not.toBe(first.sessionToken);
    const planted2 = await call(`${t.baseUrl}/api/v1/auth/me`, {
      headers: { cookie: `auth_session=${planted}` },
    });
    expect(planted2.status).toBe(401);
  });

  it('logs out only on POST, and refuses a cookie logout from a foreign Origin', async () => {
    const { sessionToken } = await oidcLogin();
    const cookie = `auth_session=${sessionToken}`;
    const me = () => call(`${t.baseUrl}/api/v1/auth/me`, { headers: { cookie } });
    expect((await me()).status).toBe(200);
    const viaGet = await call(`${t.baseUrl}/api/v1/auth/logout`, { headers: { cookie } });
    expect(viaGet.status).toBeGreaterThanOrEqual(400);
    expect((await me()).status).toBe(200);
    for (const origin of ['https://evil.example', 'null', `${t.baseUrl}.evil.example`]) {
      const crossSite = await call(`${t.baseUrl}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { cookie, origin },
      });
      expect(crossSite.status, origin).toBe(403);
      expect((crossSite.json as { error: string }).error).toBe('csrf_rejected');
      expect((await me()).status).toBe(200);
    }
    const sameSite = await call(`${t.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie, origin: t.baseUrl },
    });
    expect(sameSite.status).toBe(200);
    const redirect = (sameSite.json as { redirectUrl: string | null }).redirectUrl;
    expect(redirect).toBeNull(); // no end-session endpoint or logout URL configured
    expect((await me()).status).toBe(401);
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '\\/evil.example',
    '/%2F%2Fevil.example',
    '%2F%2Fevil.example',
    '/%5Cevil.example',
    '/%5C%5Cevil.example',
    '/\tevil',
    '/%09/evil.example',
    '/\r\nLocation: https://evil.example',
    '/%0d%0aSet-Cookie:%20x=1',
    '/%0aevil',
    '/%00evil',
    ' //evil.example',
    '\u3000//evil.example',
    '\uff0f\uff0fevil.example',
    '/\u2028/evil.example',
    '/\u00a0/evil.example',
    'javascript:alert(1)',
    'http:evil.example',
    'https:/evil.example',
    '%E2%80%AE//evil.example',
    '/%',
  ])('sends an open-redirect attempt %j to / after sign-in', async (returnTo) => {
    const { callback } = await oidcLogin({ returnTo });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/');
  });

  describe('key material from the token itself is never used', () => {
    let attacker: { privateKey: import('node:crypto').KeyObject; jwk: JWK };

    beforeAll(() => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      attacker = {
        privateKey,
        jwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'attacker', use: 'sig' },
      };
    });

    const attackerKey = () => ({
      kid: 'attacker',
      privateKey: attacker.privateKey,
      publicJwk: attacker.jwk,
      publicPem: '',
    });

    const refusedWith = async (header: Record<string, unknown>, code: string) => {
      idp.onToken = async (request, self) => ({
        access_token: 'at-x',
        token_type: 'Bearer',
        id_token: await self.signRsa(self.claims(request), { key: attackerKey(), header }),
      });
      const { callback, sessionToken } = await oidcLogin({ accept: 'application/json' });
      expect(callback.status, callback.text).toBe(401);
      expect((callback.json as { error: string }).error).toBe(code);
      expect(sessionToken).toBeUndefined();
    };

    it('refuses an ID token whose embedded jwk header carries the signing key', async () => {
      await refusedWith({ jwk: attacker.jwk }, 'id_token_invalid_signature');
    });

    it('refuses an ID token pointing at a foreign jku or x5u, without fetching it', async () => {
      const host = await startRecorder({ keys: [attacker.jwk] });
      try {
        await refusedWith({ jku: `${host.url}/jwks` }, 'id_token_invalid_signature');
        await refusedWith({ x5u: `${host.url}/cert.pem` }, 'id_token_invalid_signature');
        await refusedWith(
          { x5c: [Buffer.from('not a cert').toString('base64')] },
          'id_token_invalid_signature',
        );
        expect(host.hits).toBe(0);
      } finally {
        await host.close();
      }
    });

    it('refuses a correctly signed ID token with a crit header', async () => {
      idp.onToken = async (request, self) => ({
        access_token: 'at-x',
        token_type: 'Bearer',
        id_token: await self.signRsa(self.claims(request), { header: { crit: ['exp'] } }),
      });
      const { callback } = await oidcLogin({ accept: 'application/json' });
      expect(callback.status).toBe(401);
      expect((callback.json as { error: string }).error).toBe('id_token_malformed');
    });

    it('refuses a logout token signed by an embedded jwk or with a crit header', async () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = () => ({
        iss: idp.issuer,
        aud: idp.clientId,
        iat: now,
        exp: now + 60,
        jti: randomUUID(),
        events: { [LOGOUT_EVENT]: {} },
        sub: 'sub-1',
      });
      const post = async (token: string) =>
        call(`${t.baseUrl}/api/v1/backchannelLogout`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ logout_token: token }).toString(),
        });
      const embedded = await idp.signRsa(claims(), {
        key: attackerKey(),
        header: { typ: 'logout+jwt', jwk: attacker.jwk },
      });
      expect((await post(embedded)).status).toBe(400);
      const crit = await idp.signRsa(claims(), { header: { typ: 'logout+jwt', crit: ['exp'] } });
      expect((await post(crit)).status).toBe(400);
      const fine = await idp.signRsa(claims(), { header: { typ: 'logout+jwt' } });
      expect((await post(fine)).status).toBe(200);
    });
  });

  it('refuses RSA keys under 2048 bits, for ID tokens and logout tokens', async () => {
    const small = await idp.rotateKey({ bits: 1024 });
    const { callback } = await oidcLogin({ accept: 'application/json' });
    expect(callback.status).toBe(401);
    expect((callback.json as { error: string }).error).toBe('id_token_invalid_signature');
    const now = Math.floor(Date.now() / 1000);
    const token = await idp.signRsa(
      {
        iss: idp.issuer,
        aud: idp.clientId,
        iat: now,
        exp: now + 60,
        jti: randomUUID(),
        events: { [LOGOUT_EVENT]: {} },
        sub: 'sub-1',
      },
      { key: small, header: { typ: 'logout+jwt' } },
    );
    const answer = await call(`${t.baseUrl}/api/v1/backchannelLogout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    });
    expect(answer.status).toBe(400);
    await idp.rotateKey();
    // Past the JWKS refetch cooldown (1 s here), so the next login picks up the new key.
    await new Promise((resolve) => setTimeout(resolve, 1100));
  });

  it('keeps every token, code, secret and password out of every log line at every level', async () => {
    // One more of each kind through the paths that log most (debug claims, refusals, logout).
    const user = await createUser(t, admin, { userName: 'review.user' });
    remember(user.password, 'user password');
    await configure({ endSessionEndpoint: `${idp.issuer}/logout` });
    const { sessionToken } = await oidcLogin();
    expect(sessionToken).toBeTruthy();
    const logout = await call(`${t.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie: cookieHeader({ auth_session: sessionToken ?? '' }) },
    });
    expect(logout.status).toBe(200);
    const redirect = new URL((logout.json as { redirectUrl: string }).redirectUrl);
    remember(redirect.searchParams.get('id_token_hint'), 'id_token_hint');
    const wrong = await call(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'wrong-password-value-123' }),
    });
    expect(wrong.status).toBe(401);
    remember('wrong-password-value-123', 'wrong password');
    // Debug lines are captured too: the search below covers every level.
    const text = t.logs.text();
    expect(text).toMatch(/^debug /m);
    expect(secrets.size).toBeGreaterThan(12);
    const leaked = [...secrets]
      .filter(([secret]) => text.includes(secret))
      .map(([secret, label]) => {
        const line = t.logs.lines.find((l) => l.includes(secret)) ?? '';
        return `${label} in "${line.slice(0, 40)}"`;
      });
    expect(leaked).toEqual([]);
    // The client secret never leaves in encrypted form either: not even its ciphertext appears.
    expect(text).not.toMatch(/client_secret=/);
  });
});
