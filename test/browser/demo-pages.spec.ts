import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ERROR_STATUS } from '../../src/common/auth-error.js';
import { REASON_TEXT } from '../../src/common/reason-text.js';
import { DEMO_USERS } from '../../src/demo/demo-idp-setup.js';
import { SCREENSHOT_DIR, screenshot } from './support/chromium.js';
import {
  type DemoSite,
  signInAsAdmin as adminSignIn,
  signInThroughIdp as idpSignIn,
  startDemoSite,
} from './support/demo-site.js';

const alice = DEMO_USERS.find((user) => user.userName === 'alice')!;
const carol = DEMO_USERS.find((user) => user.userName === 'carol')!;

describe('demo pages in a real browser, signing in through the local IdP', () => {
  let site: DemoSite;

  beforeAll(async () => {
    site = await startDemoSite();
    console.log(`Browser test screenshots: ${SCREENSHOT_DIR}`);
  });

  afterAll(async () => {
    await site?.close();
  });

  const newPage = () => site.newPage();
  const signInThroughIdp = (page: Page, user: { userName: string; password: string }) =>
    idpSignIn(site, page, user);
  const signInAsAdmin = (page: Page) => adminSignIn(site, page);

  async function teamsShown(page: Page): Promise<string[]> {
    return page.locator('#teams li').allTextContents();
  }

  it('a demo user signs in through the IdP login form and sees the mapped teams', async () => {
    const page = await newPage();
    await page.goto(`${site.t.baseUrl}/login`);
    await expect
      .poll(() => page.getByRole('link', { name: /^Sign in with/ }).isVisible())
      .toBe(true);
    await screenshot(page, 'login-page');

    await signInThroughIdp(page, alice);
    expect(await page.locator('#user-name').textContent()).toBe('alice');
    expect(await page.locator('#email').textContent()).toBe('alice@demo.test');
    expect(await teamsShown(page)).toEqual(['Sales', 'Staff']);
    await screenshot(page, 'user-page');
    expect(site.problems).toEqual([]);
  });

  it('signing out ends the IdP session too and comes back to the login page', async () => {
    const page = await newPage();
    await signInThroughIdp(page, alice);
    const visited: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) visited.push(new URL(frame.url()).origin);
    });

    await page.getByRole('button', { name: 'Sign out' }).click();
    // The local IdP asks for confirmation before it ends its own session.
    await page.waitForURL((url) => url.origin === site.idp.issuer);
    await page.getByRole('button', { name: /sign me out/i }).click();
    await page.waitForURL((url) => url.origin === site.t.baseUrl && url.pathname === '/login');

    expect(visited).toContain(site.idp.issuer);
    await expect.poll(() => page.locator('#notice').textContent()).toBe('You are signed out.');
    const me = await page.request.get(`${site.t.baseUrl}/api/v1/auth/me`);
    expect(me.status()).toBe(401);
    // The IdP session is gone as well: signing in again asks for the password.
    await page.getByRole('link', { name: /^Sign in with/ }).click();
    await page.waitForURL((url) => url.origin === site.idp.issuer);
    await expect.poll(() => page.locator('input[name="password"]').isVisible()).toBe(true);
    expect(site.problems).toEqual([]);
  });

  it('an admin adds a team mapping on the admin page and it applies at the next sign-in', async () => {
    const before = await newPage();
    await signInThroughIdp(before, carol);
    expect(await teamsShown(before)).toEqual([]);

    const page = await newPage();
    await signInAsAdmin(page);
    expect(await page.locator('#redirectUri').inputValue()).toBe(
      `${site.t.baseUrl}/api/v1/auth/oidc/callback`,
    );
    await expect.poll(() => page.locator('#log-rows tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'admin-page');

    // "Create team" adds a mapping row for it; an empty group applies to everyone.
    await page.getByLabel('New team').fill('Newcomers');
    await page.getByRole('button', { name: 'Create team' }).click();
    const rows = page.locator('#mapping-rows tr');
    await expect.poll(() => rows.count()).toBe(4);
    expect(await rows.nth(3).locator('select option:checked').textContent()).toBe('Newcomers');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Saved.');

    const after = await newPage();
    await signInThroughIdp(after, carol);
    expect(await teamsShown(after)).toEqual(['Newcomers']);
    expect(site.problems).toEqual([]);
  });

  it('a validation error from the API appears next to its field and nothing is saved', async () => {
    const page = await newPage();
    await signInAsAdmin(page);
    const clientId = page.getByLabel('Client ID');
    await clientId.fill('');
    await page.getByRole('button', { name: 'Save' }).click();

    const fieldError = page.locator('[data-field="oidc.clientId"] .field-error');
    await fieldError.waitFor({ state: 'visible' });
    expect(await fieldError.textContent()).toBe('Required when the method is oidc.');
    expect(await clientId.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await clientId.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe(
      'Required when the method is oidc.',
    );
    expect(await page.locator('#notice').textContent()).toBe('Not saved: 1 field to fix.');
    expect(await page.locator('#error-list li').allTextContents()).toEqual([
      'Client ID: Required when the method is oidc.',
    ]);
    await screenshot(page, 'admin-validation-error');

    const stored = (await site.admin.expect('GET', '/admin/authentication', 200)) as {
      oidc: { clientId: string };
    };
    expect(stored.oidc.clientId).toBe('demo-app');
    expect(site.problems).toEqual([]);
  });

  it('the login page explains every reason code in words', async () => {
    const page = await newPage();
    await page.goto(`${site.t.baseUrl}/login?error=state_expired`);
    await expect
      .poll(() => page.locator('#notice').textContent())
      .toBe(REASON_TEXT.state_expired.text);

    const designCodes = [
      'invalid_credentials',
      'method_not_allowed',
      'too_many_attempts',
      'oidc_not_enabled',
      'state_missing',
      'state_mismatch',
      'state_expired',
      'code_missing',
      'idp_error',
      'idp_unreachable',
      'token_request_failed',
      'id_token_invalid_signature',
      'id_token_alg_not_allowed',
      'id_token_wrong_issuer',
      'id_token_wrong_audience',
      'id_token_azp_mismatch',
      'id_token_expired',
      'id_token_not_yet_valid',
      'id_token_missing_claim',
      'nonce_mismatch',
      'userinfo_failed',
      'userinfo_sub_mismatch',
      'username_claim_missing',
      'username_too_long',
      'user_not_found',
      'user_inactive',
      'admin_oidc_disabled',
    ];
    const codes = [...new Set([...designCodes, ...Object.keys(AUTH_ERROR_STATUS)])];
    // A string expression: vitest rewrites dynamic imports inside functions it compiles.
    const known = await page.evaluate<string[]>(
      "import('/assets/messages.js').then((m) => Object.keys(m.REASON_TEXT))",
    );
    const missing = codes.filter((code) => !known.includes(code));
    expect(missing).toEqual([]);

    // An unknown code is shown as text, never as markup.
    await page.goto(`${site.t.baseUrl}/login?error=${encodeURIComponent('<b>x</b>')}`);
    await expect.poll(() => page.locator('#notice').textContent()).toContain('<b>x</b>');
    expect(await page.locator('#notice b').count()).toBe(0);
    expect(site.problems).toEqual([]);
  });
  it('the login page works with the keyboard alone', async () => {
    const page = await newPage();
    await page.goto(`${site.t.baseUrl}/login`);
    await page.getByRole('link', { name: /^Sign in with/ }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('oidc-link');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('fallback-toggle');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('username');
    await page.keyboard.type(site.t.adminUserName);
    await page.keyboard.press('Tab');
    await page.keyboard.type(site.t.adminPassword);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${site.t.baseUrl}/me`);
    await page.locator('#profile').waitFor({ state: 'visible' });
    expect(await page.locator('#role').textContent()).toBe('Administrator');
    expect(site.problems).toEqual([]);
  });
});
