import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IdpKeysService } from '../../src/index.js';
import { api, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import { type CraftedIdp, type TokenRequest, startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('ID token validation against a token-crafting IdP', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;

  const configure = (overrides: Record<string, unknown> = {}) =>
    putSettings(t, admin, { method: 'oidc', oidc: idp.settings(overrides) });

  /** One sign-in as a JSON client; answers the callback status, body and session cookie. */
  const signIn = async (browser = new BrowserSession()) => {
    const { callback, sessionToken } = await oidcSignIn(
      browser,
      t.baseUrl,
      { userName: 'x', password: 'x' },
      { accept: 'application/json' },
    );
    let body: { error?: string; message?: string } = {};
    try {
      body = JSON.parse(callback.body) as typeof body;
    } catch {
      body = {};
    }
    return { status: callback.status, body, sessionToken, callback };
  };

  const expectRefused = async (code: string) => {
    const result = await signIn();
    expect(result.body.error, result.body.message).toBe(code);
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.sessionToken).toBeUndefined();
    // Identical refusals fold into one entry (ordered by its first time): look it up by code.
    const log = await api(t, 'get', `/api/v1/admin/auth-log?method=oidc&reason=${code}`, admin);
    expect(log.body[0]).toMatchObject({ method: 'oidc', success: false, reason: code });
    return result;
  };

  const tokenWith = (craft: (request: TokenRequest) => Promise<string> | string) => {
    idp.onToken = async (request) => ({
      access_token: 'at-1',
      token_type: 'Bearer',
      id_token: await craft(request),
    });
  };

  beforeAll(async () => {
    t = await startTestApp({
      // Dozens of refused callbacks from one address: not the per-address throttle under test.
      auth: {
        jwksRefetchCooldownSeconds: 1,
        throttle: { callbackPerAddress: 100_000, backchannelPerAddress: 100_000 },
      },
    });
    idp = await startCraftedIdp();
    admin = await loginAsAdmin(t);
  });

  beforeEach(async () => {
    idp.onToken = async (request, self) => ({
      access_token: 'at-1',
      token_type: 'Bearer',
      id_token: await self.signRsa(self.claims(request)),
    });
    idp.userInfo = { sub: 'sub-1' };
    await configure();
  });

  afterAll(async () => {
    await idp?.stop();
    await t?.close();
  });

  it('signs in with a valid RS256 ID token, sending the PKCE verifier and client_secret_post', async () => {
    const result = await signIn();
    expect(result.status, JSON.stringify(result.body)).toBe(302);
    expect(result.sessionToken).toBeTruthy();
    const last = idp.tokenRequests.at(-1)!;
    expect(last.form.get('client_secret')).toBe(idp.clientSecret);
    expect(last.form.get('code_verifier')).toBeTruthy();
    expect(last.authorize.params.get('code_challenge_method')).toBe('S256');
    expect(last.authorize.params.get('scope')).toBe('openid profile email');
    expect(last.authorization).toBeUndefined();
  });

  it('sends client_secret_basic and no PKCE when so configured', async () => {
    await configure({ tokenEndpointAuthMethod: 'client_secret_basic', pkce: false });
    const result = await signIn();
    expect(result.status, JSON.stringify(result.body)).toBe(302);
    const last = idp.tokenRequests.at(-1)!;
    expect(last.form.get('client_secret')).toBeNull();
    expect(last.form.get('code_verifier')).toBeNull();
    expect(last.authorize.params.get('code_challenge')).toBeNull();
    const expected = Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64');
    expect(last.authorization).toBe(`Basic ${expected}`);
  });

  it('fails with id_token_invalid_signature when an RS256 token is signed by another key', async () => {
    const forger = await startCraftedIdp();
    const otherKey = forger.key;
    await forger.stop();
    tokenWith((r) => idp.signRsa(idp.claims(r), { key: { ...otherKey, kid: idp.key.kid } }));
    await expectRefused('id_token_invalid_signature');
  });

  it('fails with id_token_invalid_signature when an HS256 token uses the wrong secret', async () => {
    await configure({ signatureAlgorithms: ['HS256'] });
    tokenWith((r) => idp.signHmac(idp.claims(r), 'not-the-client-secret-at-all-0123456789'));
    await expectRefused('id_token_invalid_signature');
  });

  it('fails with id_token_alg_not_allowed for alg none', async () => {
    tokenWith((r) => idp.unsigned(idp.claims(r)));
    await expectRefused('id_token_alg_not_allowed');
  });

  it('fails with id_token_alg_not_allowed for an algorithm outside the allow-list', async () => {
    tokenWith((r) => idp.signRsa(idp.claims(r), { alg: 'RS384' }));
    await expectRefused('id_token_alg_not_allowed');
  });

  it('fails with id_token_invalid_signature for HS256 keyed with the RSA public key', async () => {
    await configure({ signatureAlgorithms: ['RS256', 'HS256'] });
    tokenWith((r) => idp.signHmac(idp.claims(r), idp.key.publicPem));
    await expectRefused('id_token_invalid_signature');
  });

  it('fails with id_token_malformed for an unknown crit header', async () => {
    tokenWith((r) =>
      idp.signRsa(idp.claims(r), { header: { crit: ['exp-ext'], 'exp-ext': true } }),
    );
    await expectRefused('id_token_malformed');
  });

  it('fails with id_token_wrong_issuer for another issuer', async () => {
    tokenWith((r) => idp.signRsa(idp.claims(r, { iss: 'https://evil.example' })));
    await expectRefused('id_token_wrong_issuer');
  });

  it('fails with id_token_wrong_audience for another audience', async () => {
    tokenWith((r) => idp.signRsa(idp.claims(r, { aud: 'other-client' })));
    await expectRefused('id_token_wrong_audience');
  });

  it('fails with id_token_azp_mismatch for an extra audience without azp', async () => {
    tokenWith((r) => idp.signRsa(idp.claims(r, { aud: [idp.clientId, 'other-client'] })));
    await expectRefused('id_token_azp_mismatch');
  });

  it('signs in with an extra audience when azp is the client id', async () => {
    tokenWith((r) =>
      idp.signRsa(idp.claims(r, { aud: [idp.clientId, 'other'], azp: idp.clientId })),
    );
    expect((await signIn()).status).toBe(302);
  });

  it('fails with id_token_missing_claim when iat is missing', async () => {
    tokenWith((r) => idp.signRsa(idp.claims(r, { iat: undefined })));
    const result = await expectRefused('id_token_missing_claim');
    expect(result.body.message).toContain('iat');
  });

  it('fails with id_token_missing_claim when sub is missing', async () => {
    tokenWith((r) => idp.signRsa(idp.claims(r, { sub: undefined })));
    const result = await expectRefused('id_token_missing_claim');
    expect(result.body.message).toContain('sub');
  });

  it('fails with id_token_expired for an expired token (beyond the leeway)', async () => {
    const now = Math.floor(Date.now() / 1000);
    tokenWith((r) => idp.signRsa(idp.claims(r, { iat: now - 7200, exp: now - 3600 })));
    await expectRefused('id_token_expired');
  });

  it('fails with id_token_not_yet_valid for nbf in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    tokenWith((r) => idp.signRsa(idp.claims(r, { nbf: now + 3600 })));
    await expectRefused('id_token_not_yet_valid');
  });

  it('fails with nonce_mismatch for a wrong nonce', async () => {
    tokenWith((r) => idp.signRsa(idp.claims(r, { nonce: 'some-other-nonce' })));
    await expectRefused('nonce_mismatch');
  });

  it('fails with nonce_mismatch for a missing nonce', async () => {
    tokenWith((r) => idp.signRsa(idp.claims(r, { nonce: undefined })));
    await expectRefused('nonce_mismatch');
  });

  it('fails with userinfo_sub_mismatch when UserInfo names another subject', async () => {
    await configure({ userInfoEndpoint: `${idp.issuer}/userinfo` });
    idp.userInfo = { sub: 'someone-else', email: 'x@example.test' };
    await expectRefused('userinfo_sub_mismatch');
  });

  it('fails with userinfo_failed when UserInfo answers an error', async () => {
    await configure({ userInfoEndpoint: `${idp.issuer}/userinfo` });
    idp.userInfo = { status: 401, body: { error: 'invalid_token' } };
    await expectRefused('userinfo_failed');
  });

  it('fails with token_request_failed when the token endpoint refuses the code', async () => {
    idp.onToken = () => Promise.resolve({ status: 400, body: { error: 'invalid_grant' } });
    const result = await expectRefused('token_request_failed');
    expect(result.body.message).toContain('invalid_grant');
  });

  it('merges UserInfo claims with the ID token claims winning', async () => {
    await configure({ userInfoEndpoint: `${idp.issuer}/userinfo`, sync: true });
    tokenWith((r) =>
      idp.signRsa(idp.claims(r, { preferred_username: 'merge.user', email: 'id@example.test' })),
    );
    idp.userInfo = { sub: 'sub-1', email: 'ui@example.test', given_name: 'FromUserInfo' };
    const result = await signIn();
    expect(result.status).toBe(302);
    const me = await api(t, 'get', '/api/v1/auth/me', result.sessionToken);
    expect(me.body).toMatchObject({
      userName: 'merge.user',
      emailAddress: 'id@example.test',
      firstName: 'FromUserInfo',
    });
  });

  it('fails with state_mismatch when a callback is replayed', async () => {
    const first = await signIn();
    expect(first.status).toBe(302);
    const replay = await new BrowserSession().request(first.callback.url, {
      headers: { accept: 'application/json' },
    });
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.body).error).toBe('state_mismatch');
  });

  it('fails with state_mismatch when the callback is carried into another browser', async () => {
    const victim = new BrowserSession();
    const start = await victim.request(`${t.baseUrl}/api/v1/auth/oidc/login`);
    const atIdp = await victim.request(start.location!);
    const attacker = new BrowserSession();
    const carried = await attacker.request(atIdp.location!, {
      headers: { accept: 'application/json' },
    });
    expect(JSON.parse(carried.body).error).toBe('state_mismatch');
    expect(carried.headers.get('set-cookie') ?? '').not.toContain('auth_session=');
  });

  it('keeps several pending logins of one browser working (tabs)', async () => {
    const browser = new BrowserSession();
    const tab1 = await browser.request(`${t.baseUrl}/api/v1/auth/oidc/login?returnTo=/one`);
    const tab2 = await browser.request(`${t.baseUrl}/api/v1/auth/oidc/login?returnTo=/two`);
    const back2 = await browser.request(tab2.location!);
    const back1 = await browser.request(tab1.location!);
    const done2 = await browser.request(back2.location!);
    const done1 = await browser.request(back1.location!);
    expect(done2.location).toBe(`${t.baseUrl}/two`);
    expect(done1.location).toBe(`${t.baseUrl}/one`);
  });

  it('fails with state_expired when the pending login is older than 10 minutes', async () => {
    const browser = new BrowserSession();
    const start = await browser.request(`${t.baseUrl}/api/v1/auth/oidc/login`);
    const atIdp = await browser.request(start.location!);
    await t.app
      .get(DataSource)
      .query(`UPDATE auth_login_state SET expires_at = now() - interval '1 minute'`);
    const callback = await browser.request(atIdp.location!, {
      headers: { accept: 'application/json' },
    });
    expect(JSON.parse(callback.body).error).toBe('state_expired');
  });

  it('fails with state_expired when the settings changed during the login', async () => {
    const browser = new BrowserSession();
    const start = await browser.request(`${t.baseUrl}/api/v1/auth/oidc/login`);
    const atIdp = await browser.request(start.location!);
    await configure({ scopes: ['profile'] });
    const callback = await browser.request(atIdp.location!, {
      headers: { accept: 'application/json' },
    });
    const body = JSON.parse(callback.body);
    expect(body.error).toBe('state_expired');
    expect(body.message).toContain('settings changed');
  });

  it('answers idp_error, code_missing and state_missing for broken callbacks, as a redirect for browsers', async () => {
    const browser = new BrowserSession();
    const base = `${t.baseUrl}/api/v1/auth/oidc/callback`;
    const denied = await browser.request(`${base}?error=access_denied&state=x`);
    expect(denied.status).toBe(302);
    expect(denied.location).toBe(`${t.baseUrl}/login?error=idp_error`);
    const noCode = await browser.request(`${base}?state=x`);
    expect(noCode.location).toBe(`${t.baseUrl}/login?error=code_missing`);
    const noState = await browser.request(`${base}?code=abc`);
    expect(noState.location).toBe(`${t.baseUrl}/login?error=state_missing`);
    expect(noState.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('sends prompt, max_age and a claims request for the group claim; checks auth_time', async () => {
    await configure({ prompt: 'login', maxAge: 300, groupClaim: 'realm_access.roles' });
    const now = Math.floor(Date.now() / 1000);
    tokenWith((r) => idp.signRsa(idp.claims(r, { auth_time: now - 10 })));
    const ok = await signIn();
    expect(ok.status, JSON.stringify(ok.body)).toBe(302);
    const params = idp.tokenRequests.at(-1)!.authorize.params;
    expect(params.get('prompt')).toBe('login');
    expect(params.get('max_age')).toBe('300');
    expect(JSON.parse(params.get('claims')!)).toEqual({
      id_token: { realm_access: null },
      userinfo: { realm_access: null },
    });
    tokenWith((r) => idp.signRsa(idp.claims(r)));
    await expectRefused('id_token_missing_claim');
    tokenWith((r) => idp.signRsa(idp.claims(r, { auth_time: now - 3600 })));
    await expectRefused('id_token_too_old');
  });

  it('replaces a returnTo that leaves the site with /', async () => {
    for (const returnTo of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const { callback } = await oidcSignIn(
        new BrowserSession(),
        t.baseUrl,
        { userName: 'x', password: 'x' },
        { returnTo },
      );
      expect(callback.location).toBe(`${t.baseUrl}/`);
    }
  });

  it.each(['RS256', 'RS384', 'RS512'])(
    'signs in with %s as the only allowed algorithm',
    async (alg) => {
      await configure({ signatureAlgorithms: [alg] });
      tokenWith((r) => idp.signRsa(idp.claims(r), { alg }));
      const result = await signIn();
      expect(result.status, JSON.stringify(result.body)).toBe(302);
    },
  );

  it.each(['HS256', 'HS384', 'HS512'])(
    'signs in with %s as the only allowed algorithm',
    async (alg) => {
      await configure({ signatureAlgorithms: [alg] });
      tokenWith((r) => idp.signHmac(idp.claims(r), idp.clientSecret, alg));
      const result = await signIn();
      expect(result.status, JSON.stringify(result.body)).toBe(302);
    },
  );

  it('refetches the JWKS exactly once when the key is rotated between two logins', async () => {
    const keys = t.app.get(IdpKeysService);
    expect((await signIn()).status).toBe(302);
    const before = keys.jwksFetchCount;
    await idp.rotateKey();
    // Let the refetch cooldown (1 s in this app) pass, as it would between real logins.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const result = await signIn();
    expect(result.status, JSON.stringify(result.body)).toBe(302);
    expect(keys.jwksFetchCount).toBe(before + 1);
    expect((await signIn()).status).toBe(302);
    expect(keys.jwksFetchCount).toBe(before + 1);
  });

  it('signs in with a JWKS whose single key has no kid', async () => {
    await idp.rotateKey({ kid: null });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const result = await signIn();
    expect(result.status, JSON.stringify(result.body)).toBe(302);
  });

  it('refuses an RSA key shorter than 2048 bits', async () => {
    await idp.rotateKey({ bits: 1024 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expectRefused('id_token_invalid_signature');
  });
});
