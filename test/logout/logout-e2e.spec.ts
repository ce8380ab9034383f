import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalIdp } from '../../src/demo/local-idp.js';
import { api, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, type BrowserResponse, oidcSignIn } from '../support/browser-session.js';
import {
  discoveredOidcSettings,
  type LocalIdpSite,
  startLocalIdpSite,
} from '../support/local-idp-site.js';
import type { TestApp } from '../support/test-app.js';

const CLIENT_ID = 'logout-e2e-app';
const CLIENT_SECRET = 'logout-e2e-secret-0123456789abcdef';

/** Polls every 50 ms for up to `limitMs`. */
async function eventually(limitMs: number, check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const startedAt = Date.now();
    if (await check()) return true;
    // The last check is one started after the bound: a slow answer is not a miss.
    if (startedAt >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The IdP's logout confirmation form: its action and hidden fields. */
function logoutForm(page: BrowserResponse): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
  if (!form) throw new Error(`no logout form (status ${page.status}): ${page.body.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const [input] of form[2].matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input)?.[1];
    if (name) fields[name] = /value="([^"]*)"/i.exec(input)?.[1] ?? '';
  }
  return { action: new URL(form[1], page.url).href, fields };
}

/** Confirms sign-out on the IdP's end-session page (as the user clicking "yes"). */
async function confirmIdpLogout(
  browser: BrowserSession,
  page: BrowserResponse,
): Promise<BrowserResponse> {
  expect(page.status, page.body.slice(0, 500)).toBe(200);
  expect(page.body).not.toContain('IdP error');
  const { action, fields } = logoutForm(page);
  return browser.request(action, { form: { ...fields, logout: 'yes' } });
}

describe('logout end to end with a real oidc-provider', () => {
  let idp: LocalIdp;
  let t: TestApp;
  let siteUrl: string;
  let site: LocalIdpSite;

  beforeAll(async () => {
    site = await startLocalIdpSite({
      client: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
      accounts: [{ sub: 'alice', password: 'alice-pw', claims: { preferred_username: 'alice' } }],
      backchannel: true,
    });
    ({ t, idp, siteUrl } = site);
    await putSettings(t, await loginAsAdmin(t), {
      method: 'oidc',
      oidc: await discoveredOidcSettings(idp, site.client, { createUser: true }),
    });
  });

  afterAll(async () => {
    await site?.close();
  });

  const me = async (token: string): Promise<number> =>
    (await api(t, 'get', '/api/v1/hello/me', token)).status;

  it('ending one IdP session revokes only that browser; the logout redirect carries an accepted id_token_hint', async () => {
    const first = new BrowserSession();
    const second = new BrowserSession();
    const one = await oidcSignIn(first, t.baseUrl, { userName: 'alice', password: 'alice-pw' });
    const two = await oidcSignIn(second, t.baseUrl, { userName: 'alice', password: 'alice-pw' });
    expect(one.callback.status, one.callback.body).toBe(302);
    expect(two.callback.status, two.callback.body).toBe(302);
    const tokenOne = one.sessionToken!;
    const tokenTwo = two.sessionToken!;
    expect(await me(tokenOne)).toBe(200);
    expect(await me(tokenTwo)).toBe(200);

    // Browser one signs out at the IdP itself; the IdP tells the app over the back channel.
    const endPage = await first.request(`${idp.issuer}/session/end`);
    const confirmed = await confirmIdpLogout(first, endPage);
    expect(confirmed.status).toBeGreaterThanOrEqual(300);
    expect(await eventually(5000, async () => (await me(tokenOne)) === 401)).toBe(true);
    expect(await me(tokenTwo)).toBe(200);

    // Browser two signs out of the app: POST only, then to the IdP with the ID token as hint.
    const logout = await second.request(`${t.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { origin: siteUrl },
    });
    expect(logout.status, logout.body).toBe(200);
    const redirectUrl = (JSON.parse(logout.body) as { redirectUrl: string }).redirectUrl;
    const redirect = new URL(redirectUrl);
    expect(redirect.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(redirect.searchParams.get('post_logout_redirect_uri')).toBe(siteUrl);
    expect(redirect.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(await me(tokenTwo)).toBe(401);

    // Control: the IdP does check the hint (a tampered one is refused).
    const tampered = new URL(redirectUrl);
    tampered.searchParams.set('id_token_hint', `${redirect.searchParams.get('id_token_hint')}x`);
    const refused = await second.request(tampered.href);
    expect(refused.body).toContain('IdP error');
    expect(refused.body).toContain('id_token_hint');

    const idpPage = await second.request(redirectUrl);
    const done = await confirmIdpLogout(second, idpPage);
    // The IdP accepted the hint and the post-logout URI: it sends the browser back to the site.
    expect(done.status).toBe(303);
    expect(done.location).toBe(new URL(siteUrl).href);

    const log = await api(t, 'get', '/api/v1/admin/auth-log', await loginAsAdmin(t)).expect(200);
    const rows = log.body as { method: string; success: boolean; reason: string }[];
    expect(rows.some((row) => row.method === 'backchannel' && row.success)).toBe(true);
    expect(rows.some((row) => row.method === 'logout' && row.success)).toBe(true);
    expect(t.logs.text()).not.toContain(redirect.searchParams.get('id_token_hint')!);
  });
});
