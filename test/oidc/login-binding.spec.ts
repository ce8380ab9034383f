import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession } from '../support/browser-session.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const STATE_COOKIE = 'auth_login_state';

describe('the login-state cookie binds each pending login on its own', () => {
  let t: TestApp;
  let idp: CraftedIdp;

  /** Starts a login in `browser` and answers the callback URL the IdP sends it back to. */
  const startAndAuthorize = async (browser: BrowserSession): Promise<string> => {
    const start = await browser.request(`${t.baseUrl}/api/v1/auth/oidc/login`);
    expect(start.status).toBe(302);
    const authorize = await browser.request(start.location!);
    expect(authorize.status).toBe(302);
    return authorize.location!;
  };

  beforeAll(async () => {
    t = await startTestApp();
    idp = await startCraftedIdp();
    const admin = await loginAsAdmin(t);
    await putSettings(t, admin, { method: 'oidc', oidc: idp.settings() });
  });
  afterAll(async () => {
    await idp?.stop();
    await t?.close();
  });

  it('a binding value planted in the victim’s browser cannot finish the victim’s login', async () => {
    const origin = new URL(t.baseUrl).origin;
    const attacker = new BrowserSession();
    await attacker.request(`${t.baseUrl}/api/v1/auth/oidc/login`);
    const planted = attacker.cookie(origin, STATE_COOKIE);
    expect(planted).toBeTruthy();

    const victim = new BrowserSession();
    victim.setCookie(origin, STATE_COOKIE, planted!);
    const victimCallback = await startAndAuthorize(victim);
    expect(victim.cookie(origin, STATE_COOKIE)).not.toBe(planted);

    // The attacker learns the victim's code and state (leaked URL) and replays them with its cookie.
    const stolen = await attacker.request(victimCallback, {
      headers: { accept: 'application/json' },
    });
    expect(stolen.status).toBe(401);
    expect(JSON.parse(stolen.body)).toMatchObject({ error: 'state_mismatch' });
    expect(attacker.cookie(origin, 'auth_session')).toBeUndefined();
  });

  it('several pending logins of one browser still finish, each with its own binding', async () => {
    const browser = new BrowserSession();
    const first = await startAndAuthorize(browser);
    const second = await startAndAuthorize(browser);
    for (const callback of [second, first]) {
      const answer = await browser.request(callback, { headers: { accept: 'application/json' } });
      expect(answer.status, answer.body).toBe(302);
    }
  });
});
