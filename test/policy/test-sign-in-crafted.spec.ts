import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginAsAdmin } from '../support/auth-helpers.js';
import { BrowserSession, signInAtIdp } from '../support/browser-session.js';
import { type CraftedIdp, startCraftedIdp, type TokenRequest } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

// Negative ID-token cases a real IdP will not produce, each reported on its own check.
describe('Test sign-in with tokens a real IdP would not send', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;

  const idTokenWith = (overrides: (request: TokenRequest) => Record<string, unknown>) => {
    idp.onToken = async (request, self) => ({
      access_token: 'at-1',
      token_type: 'Bearer',
      id_token: await self.signRsa(self.claims(request, overrides(request))),
    });
  };

  const runTest = async (settings: Record<string, unknown> = {}) => {
    const started = await api(t, 'post', '/api/v1/admin/authentication/test-sign-in', admin)
      .send({ oidc: idp.settings(settings) })
      .expect(201);
    const browser = new BrowserSession();
    const binding = /auth_login_state_test=([^;]+)/.exec(
      String(started.headers['set-cookie'] ?? ''),
    )?.[1];
    browser.setCookie(new URL(t.baseUrl).origin, 'auth_login_state_test', binding!);
    await signInAtIdp(browser, started.body.authorizationUrl as string, t.baseUrl, {
      userName: '-',
      password: '-',
    });
    const report = await api(
      t,
      'get',
      `/api/v1/admin/authentication/test-sign-in/${started.body.id as string}`,
      admin,
    ).expect(200);
    return report.body as {
      checks: { name: string; ok: boolean; code?: string }[];
      result: { outcome: string; code?: string };
    };
  };

  /** [name, ok] of each check that ran, and the refusal code of the failed one. */
  const summary = (report: Awaited<ReturnType<typeof runTest>>) => ({
    ran: report.checks.map((check) => [check.name, check.ok]),
    code: report.checks.find((check) => !check.ok)?.code,
  });

  beforeAll(async () => {
    t = await startTestApp();
    idp = await startCraftedIdp();
    admin = await loginAsAdmin(t);
  });

  afterAll(async () => {
    await idp?.stop();
    await t?.close();
  });

  const upTo = (failed: string) => {
    const order = ['authorization response', 'state', 'token request', 'signature', 'iss', 'aud'];
    const more = ['azp', 'exp/iat/nbf', 'nonce', 'sub', 'auth_time/max_age'];
    const all = [...order, ...more];
    return all.slice(0, all.indexOf(failed) + 1).map((name) => [name, name !== failed]);
  };

  it('places a wrong aud on the aud check', async () => {
    idTokenWith(() => ({ aud: 'another-client' }));
    expect(summary(await runTest())).toEqual({
      ran: upTo('aud'),
      code: 'id_token_wrong_audience',
    });
  });

  it('places a wrong issuer in the token on the iss check', async () => {
    idTokenWith(() => ({ iss: 'https://evil.example' }));
    expect(summary(await runTest())).toEqual({ ran: upTo('iss'), code: 'id_token_wrong_issuer' });
  });

  it('places a wrong nonce on the nonce check', async () => {
    idTokenWith(() => ({ nonce: 'not-this-login' }));
    expect(summary(await runTest())).toEqual({ ran: upTo('nonce'), code: 'nonce_mismatch' });
  });

  it('accepts a token 30 s past exp within the 60 s leeway, as a real sign-in does', async () => {
    idTokenWith(() => ({ exp: Math.floor(Date.now() / 1000) - 30 }));
    const report = await runTest({ usernameClaim: 'sub' });
    expect(report.checks.filter((check) => !check.ok)).toEqual([]);
    expect(report.result.outcome).toBe('signed_in');
  });

  it('places a UserInfo of another subject on the sub match check', async () => {
    idTokenWith(() => ({}));
    idp.userInfo = { sub: 'someone-else' };
    const report = await runTest({ userInfoEndpoint: `${idp.issuer}/userinfo` });
    expect(report.checks.slice(-2)).toEqual([
      { name: 'userinfo', ok: true },
      expect.objectContaining({ name: 'sub match', ok: false, code: 'userinfo_sub_mismatch' }),
    ]);
  });
});
