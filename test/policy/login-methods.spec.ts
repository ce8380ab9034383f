import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginAsAdmin, oidcSettingsFor, putSettings } from '../support/auth-helpers.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ISSUER = 'http://127.0.0.1:9/realms/acme';

describe('GET /auth/methods: login page settings', () => {
  let t: TestApp;
  let admin: string;

  const methods = async () => (await api(t, 'get', '/api/v1/auth/methods').expect(200)).body;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('offers no provider and no auto-redirect in password mode', async () => {
    await putSettings(t, admin, { oidc: { ...oidcSettingsFor(ISSUER), autoRedirect: true } });
    expect(await methods()).toEqual({
      method: 'password',
      fallback: true,
      fallbackForRegularUsers: true,
      autoRedirect: false,
      buttonLabel: null,
      providers: [],
    });
  });

  it('labels the one provider "Sign in with <issuer host>" unless a label is set', async () => {
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: { ...oidcSettingsFor(ISSUER), autoRedirect: false },
    });
    const loginUrl = `${t.baseUrl}/api/v1/auth/oidc/login`;
    expect(await methods()).toEqual({
      method: 'oidc',
      fallback: true,
      fallbackForRegularUsers: false,
      autoRedirect: false,
      buttonLabel: 'Sign in with 127.0.0.1:9',
      providers: [{ id: 'default', label: 'Sign in with 127.0.0.1:9', loginUrl }],
    });
    await putSettings(t, admin, { oidc: { autoRedirect: true, buttonLabel: 'Acme staff login' } });
    expect(await methods()).toEqual({
      method: 'oidc',
      fallback: true,
      fallbackForRegularUsers: false,
      autoRedirect: true,
      buttonLabel: 'Acme staff login',
      providers: [{ id: 'default', label: 'Acme staff login', loginUrl }],
    });
    // The loginUrl really starts a sign-in (302 to the IdP's authorization endpoint).
    const start = await api(t, 'get', new URL(loginUrl).pathname).expect(302);
    expect(start.headers.location).toMatch(new RegExp(`^${ISSUER}/auth\\?`));
  });

  it('shows the new settings in GET /admin/authentication and refuses bad values', async () => {
    const view = await api(t, 'get', '/api/v1/admin/authentication', admin).expect(200);
    expect(view.body.oidc).toMatchObject({ autoRedirect: true, buttonLabel: 'Acme staff login' });
    const refused = await api(t, 'put', '/api/v1/admin/authentication', admin)
      .send({ oidc: { autoRedirect: 1, buttonLabel: 'x'.repeat(101) } })
      .expect(400);
    expect(refused.body).toMatchObject({ error: 'validation_failed' });
    expect(Object.keys(refused.body.fields).sort()).toEqual([
      'oidc.autoRedirect',
      'oidc.buttonLabel',
    ]);
    // A null label goes back to the default text.
    await putSettings(t, admin, { oidc: { buttonLabel: null } });
    expect((await methods()).buttonLabel).toBe('Sign in with 127.0.0.1:9');
  });

  it('refuses allowRegularUserFallback with fallback off (EspoCRM rule), naming that field', async () => {
    const refused = await api(t, 'put', '/api/v1/admin/authentication', admin)
      .send({ oidc: { fallback: false, allowAdminUser: true, allowRegularUserFallback: true } })
      .expect(400);
    expect(refused.body.fields).toEqual({
      'oidc.allowRegularUserFallback': expect.stringContaining('fallback'),
    });
  });

  it('describes the new fields and the test sign-in endpoints in the OpenAPI document', async () => {
    const document = (await (await fetch(`${t.baseUrl}/api/docs-json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(document.paths['/api/v1/admin/authentication/test-sign-in']?.post?.tags).toContain(
      'admin',
    );
    expect(document.paths['/api/v1/admin/authentication/test-sign-in/{id}']?.get?.tags).toContain(
      'admin',
    );
    // Several providers (issue 13): the admin routes and each provider's sign-in.
    const providers = '/api/v1/admin/authentication/providers';
    expect(Object.keys(document.paths[providers] ?? {})).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(Object.keys(document.paths[`${providers}/{id}`] ?? {})).toEqual(
      expect.arrayContaining(['get', 'put', 'delete']),
    );
    expect(document.paths[`${providers}/{id}/test-sign-in`]?.post?.tags).toContain('admin');
    for (const method of ['get', 'post'])
      expect(document.paths[providers]?.[method]?.tags, method).toContain('admin');
    expect(document.paths['/api/v1/auth/oidc/{providerId}/login']?.get?.tags).toContain('auth');
    expect(document.paths['/api/v1/auth/oidc/{providerId}/callback']?.get?.tags).toContain('auth');
    const schemas = document.components.schemas;
    expect(Object.keys(schemas.AuthMethodsDto?.properties ?? {})).toEqual(
      expect.arrayContaining(['autoRedirect', 'buttonLabel', 'providers']),
    );
    expect(Object.keys(schemas.OidcSettingsDto?.properties ?? {})).toEqual(
      expect.arrayContaining(['autoRedirect', 'buttonLabel']),
    );
    expect(Object.keys(schemas.TestSignInReportDto?.properties ?? {})).toEqual(
      expect.arrayContaining(['checks', 'idToken', 'userInfo', 'result']),
    );
  });
});
