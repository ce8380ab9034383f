import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/test-app.js';

interface OpenApiDocument {
  paths: Record<string, Record<string, { tags?: string[] }>>;
  components: { securitySchemes: Record<string, { type: string; in?: string; name?: string }> };
}

describe('demo app pages and OpenAPI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each(['/login', '/me', '/admin'])(
    'serves %s outside the API prefix with a strict CSP',
    async (path) => {
      const response = await fetch(`${t.baseUrl}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      const html = await response.text();
      // CSP-friendly: no inline scripts, styles or handlers.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/\sstyle=/i);
    },
  );

  it('serves the page scripts and styles without a session', async () => {
    for (const asset of ['login.js', 'me.js', 'admin.js', 'common.js', 'messages.js']) {
      const response = await fetch(`${t.baseUrl}/assets/${asset}`);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
    }
    const css = await fetch(`${t.baseUrl}/assets/styles.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('sends / to the user page', async () => {
    const response = await fetch(`${t.baseUrl}/`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/me');
  });

  it('publishes an OpenAPI document of the auth and admin endpoints with both auth schemes', async () => {
    const ui = await fetch(`${t.baseUrl}/api/docs`);
    expect(ui.status).toBe(200);
    const document = (await (await fetch(`${t.baseUrl}/api/docs-json`)).json()) as OpenApiDocument;
    const expected: [string, string, string][] = [
      ['get', '/api/v1/auth/methods', 'auth'],
      ['post', '/api/v1/auth/login', 'auth'],
      ['get', '/api/v1/auth/oidc/login', 'auth'],
      ['get', '/api/v1/auth/oidc/callback', 'auth'],
      ['get', '/api/v1/auth/me', 'auth'],
      ['post', '/api/v1/auth/logout', 'auth'],
      ['get', '/api/v1/admin/authentication', 'admin'],
      ['put', '/api/v1/admin/authentication', 'admin'],
      ['post', '/api/v1/admin/authentication/discover', 'admin'],
      ['get', '/api/v1/admin/teams', 'admin'],
      ['post', '/api/v1/admin/teams', 'admin'],
      ['delete', '/api/v1/admin/teams/{id}', 'admin'],
      ['get', '/api/v1/admin/users', 'admin'],
      ['post', '/api/v1/admin/users', 'admin'],
      ['patch', '/api/v1/admin/users/{id}', 'admin'],
      ['get', '/api/v1/admin/auth-log', 'admin'],
    ];
    for (const [method, path, tag] of expected) {
      expect(document.paths[path]?.[method]?.tags, `${method} ${path}`).toContain(tag);
    }
    expect(document.paths['/login']).toBeUndefined();
    const schemes = Object.values(document.components.securitySchemes);
    expect(schemes).toContainEqual(expect.objectContaining({ type: 'http' }));
    expect(schemes).toContainEqual(
      expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'auth_session' }),
    );
  });
});
