import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import {
  api,
  createUser,
  loginAs,
  loginAsAdmin,
  oidcSettingsFor,
  putSettings,
} from '../support/auth-helpers.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ISSUER = 'http://127.0.0.1:9/idp';
const FAKE_ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

describe('POST /auth/logout', () => {
  let t: TestApp;
  let adminToken: string;
  let user: { id: string; userName: string; password: string };

  beforeAll(async () => {
    t = await startTestApp();
    adminToken = await loginAsAdmin(t);
    user = await createUser(t, adminToken);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function oidcSession(idToken = FAKE_ID_TOKEN, issuer = ISSUER): Promise<string> {
    const created = await t.app
      .get(SessionsService)
      .create(user.id, 'oidc', { issuer, subject: 'alice-sub', sid: 'sid-1', idToken });
    return created.token;
  }

  /** A password session made directly (the site may be in OIDC mode by then). */
  async function passwordSession(): Promise<string> {
    return (await t.app.get(SessionsService).create(user.id, 'password')).token;
  }

  async function configure(oidc: Record<string, unknown>): Promise<void> {
    await putSettings(t, adminToken, { method: 'oidc', oidc: oidcSettingsFor(ISSUER, oidc) });
  }

  it('ends a password session: redirectUrl null, cookie cleared, token refused afterwards', async () => {
    const token = await loginAs(t, user.userName, user.password);
    const response = await api(t, 'post', '/api/v1/auth/logout', token).expect(200);
    expect(response.body).toEqual({ redirectUrl: null });
    expect(response.headers['cache-control']).toBe('no-store');
    const cleared = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    expect(
      cleared.some((c) => /^auth_session=;/.test(c) && /Expires=Thu, 01 Jan 1970/.test(c)),
    ).toBe(true);
    await api(t, 'get', '/api/v1/hello/me', token).expect(401);
  });

  it('sends an OIDC session to the end-session endpoint with id_token_hint, site URL and client id', async () => {
    await configure({
      endSessionEndpoint: `${ISSUER}/session/end?ui=1`,
      logoutUrl: 'https://ignored.example/logout?to={siteUrl}',
    });
    const token = await oidcSession();
    const response = await api(t, 'post', '/api/v1/auth/logout', token).expect(200);
    const url = new URL(response.body.redirectUrl as string);
    expect(url.origin + url.pathname).toBe(`${ISSUER}/session/end`);
    expect(url.searchParams.get('ui')).toBe('1');
    expect(url.searchParams.get('id_token_hint')).toBe(FAKE_ID_TOKEN);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(
      new URL(t.baseUrl).href.replace(/\/$/, ''),
    );
    expect(url.searchParams.get('client_id')).toBe('test-client');
    await api(t, 'get', '/api/v1/hello/me', token).expect(401);
  });

  it('leaves out an id_token_hint from another issuer', async () => {
    await configure({ endSessionEndpoint: `${ISSUER}/session/end` });
    const token = await oidcSession(FAKE_ID_TOKEN, 'http://127.0.0.1:9/old-idp');
    const response = await api(t, 'post', '/api/v1/auth/logout', token).expect(200);
    const url = new URL(response.body.redirectUrl as string);
    expect(url.searchParams.has('id_token_hint')).toBe(false);
  });

  it('fills the logoutUrl template, URL-encoded, when there is no end-session endpoint', async () => {
    await configure({
      endSessionEndpoint: null,
      logoutUrl: 'https://idp.example/logout?returnTo={siteUrl}&client={clientId}',
      clientId: 'client id/ä',
    });
    const token = await oidcSession();
    const response = await api(t, 'post', '/api/v1/auth/logout', token).expect(200);
    expect(response.body.redirectUrl).toBe(
      `https://idp.example/logout?returnTo=${encodeURIComponent(t.baseUrl)}&client=${encodeURIComponent('client id/ä')}`,
    );
  });

  it('answers null for an OIDC session when neither is configured', async () => {
    await configure({ endSessionEndpoint: null, logoutUrl: null });
    const token = await oidcSession();
    const response = await api(t, 'post', '/api/v1/auth/logout', token).expect(200);
    expect(response.body).toEqual({ redirectUrl: null });
  });

  it('never logs out on GET', async () => {
    const token = await passwordSession();
    const response = await api(t, 'get', '/api/v1/auth/logout', token);
    expect(response.status).not.toBe(200);
    await api(t, 'get', '/api/v1/hello/me', token).expect(200);
  });

  it('answers 401 without a session, and for a session already ended', async () => {
    await api(t, 'post', '/api/v1/auth/logout').expect(401);
    const token = await passwordSession();
    await api(t, 'post', '/api/v1/auth/logout', token).expect(200);
    await api(t, 'post', '/api/v1/auth/logout', token).expect(401);
  });

  it('records the logout in the auth log and never logs the ID token', async () => {
    await configure({ endSessionEndpoint: `${ISSUER}/session/end` });
    const token = await oidcSession();
    await api(t, 'post', '/api/v1/auth/logout', token).expect(200);
    const log = await api(t, 'get', '/api/v1/admin/auth-log', adminToken).expect(200);
    const entry = (log.body as { method: string; userName: string; success: boolean }[]).find(
      (row) => row.method === 'logout',
    );
    expect(entry).toMatchObject({ method: 'logout', userName: user.userName, success: true });
    expect(t.logs.text()).not.toContain(FAKE_ID_TOKEN);
    expect(t.logs.text()).not.toContain(token);
  });
});
