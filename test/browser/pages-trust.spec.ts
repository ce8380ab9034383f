// Issue 14 in a real browser, at 1280 px and at 390 px: pages a person can trust.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASON_TEXT } from '../../src/common/reason-text.js';
import { safeReturnTo } from '../../src/common/url.js';
import { DEMO_USERS } from '../../src/demo/demo-idp-setup.js';
import { screenshot, screenshotOf, watchFailedResponses } from './support/chromium.js';
import {
  type DemoSite,
  expectInViewport,
  scrollsSideways,
  signInAsAdmin,
  signInThroughIdp,
  startDemoSite,
  VIEWPORTS,
  visibleMessages,
} from './support/demo-site.js';

const alice = DEMO_USERS.find((user) => user.userName === 'alice')!;
const bob = DEMO_USERS.find((user) => user.userName === 'bob')!;
const carol = DEMO_USERS.find((user) => user.userName === 'carol')!;

/** A 401 from /auth/me is how a page learns nobody is signed in: expected, not a broken page. */
const EXPECTED_401 = [/\/api\/v1\/auth\/me$/];

describe('pages a person trusts (issue 14)', () => {
  let site: DemoSite;

  beforeAll(async () => {
    // Many deliberate wrong passwords from 127.0.0.1: a high per-address limit keeps the admin in.
    site = await startDemoSite({
      auth: { throttle: { perUserName: 5, perAddress: 1000, windowSeconds: 900 } },
    });
  });

  afterAll(async () => {
    await site?.close();
  });

  const url = (path: string) => `${site.t.baseUrl}${path}`;
  const pathOf = (page: Page) => new URL(page.url()).pathname;

  async function wrongPassword(userName: string): Promise<number> {
    const response = await fetch(url('/api/v1/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: userName, password: 'not-the-password' }),
    });
    return response.status;
  }

  describe.each(VIEWPORTS)('at $width px', (viewport) => {
    const shot = (name: string) => `${name}-${viewport.width}`;

    it('14.1 Back after sign-out never shows the previous user: no-store, and a pageshow re-check', async () => {
      const page = await site.newPage(viewport);
      await signInThroughIdp(site, page, carol);
      expect(await page.locator('#user-name').textContent()).toBe('carol');
      const pageHeaders = (await page.request.get(url('/me'))).headers();
      const apiHeaders = (await page.request.get(url('/api/v1/auth/me'))).headers();
      expect(pageHeaders['cache-control']).toBe('no-store');
      expect(apiHeaders['cache-control']).toBe('no-store');

      const visited: string[] = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) visited.push(frame.url());
      });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((u) => u.origin === site.idp.issuer);
      await page.getByRole('button', { name: /sign me out/i }).click();
      await page.waitForURL((u) => u.origin === site.t.baseUrl && u.pathname === '/login');
      // Back until the browser reaches /me again (the IdP's pages sit in between).
      const marker = visited.length;
      for (let step = 0; step < 4; step++) {
        await page.goBack().catch(() => null);
        if (visited.slice(marker).some((v) => new URL(v).pathname === '/me')) break;
      }
      expect(visited.slice(marker).some((v) => new URL(v).pathname === '/me')).toBe(true);
      await expect.poll(() => pathOf(page), { timeout: 15_000 }).toBe('/login');
      expect(await page.getByText('Signed in as').count()).toBe(0);
      expect(await page.getByText('carol@demo.test').count()).toBe(0);
      expect(site.problems).toEqual([]);
    });

    it('14.1 a page restored from the back-forward cache hides the user and leaves once the session is gone', async () => {
      const page = await site.newPage(viewport);
      await signInThroughIdp(site, page, alice);
      // The session ends elsewhere (another tab signs out); then the page is shown from the cache.
      await page.request.post(url('/api/v1/auth/logout'), { headers: { origin: site.t.baseUrl } });
      await page.evaluate(() =>
        window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })),
      );
      expect(await page.locator('#profile').isVisible()).toBe(false);
      await page.waitForURL((u) => u.pathname === '/login');
      expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/me');
    });

    it('14.2 Discover and Save messages replace each other in one message area', async () => {
      const page = await site.newPage(viewport);
      await signInAsAdmin(site, page);
      const issuer = page.getByLabel('Issuer URL');
      const clientId = page.getByLabel('Client ID');

      await page.getByRole('button', { name: 'Discover' }).click();
      await expect
        .poll(() => page.locator('#notice').textContent())
        .toMatch(/^Discover (filled|found)/);

      await issuer.fill('http://127.0.0.1:9/nothing-here');
      await page.getByRole('button', { name: 'Discover' }).click();
      await expect
        .poll(() => page.locator('#notice').textContent())
        .toMatch(/^Discover failed, nothing changed: /);
      expect(await visibleMessages(page)).toHaveLength(1);
      expect((await visibleMessages(page))[0]).not.toContain('press Save');
      expect(await page.getByText('not saved', { exact: false }).count()).toBe(0);
      // Nothing changed: the endpoints are still the saved ones.
      expect(await page.getByLabel('Token endpoint').inputValue()).toBe(`${site.idp.issuer}/token`);
      await screenshot(page, shot('admin-discover-failure'));

      await clientId.fill('');
      await page.locator('#save').click();
      await expect.poll(() => page.locator('#notice').textContent()).toMatch(/^Not saved: /);
      expect(await page.locator('#error-list li').allTextContents()).toEqual([
        'Client ID: Required when the method is oidc.',
      ]);
      expect(await visibleMessages(page)).toEqual(['Not saved: 1 field to fix.']);

      await page.getByRole('button', { name: 'Discard' }).click();
      expect(await clientId.inputValue()).toBe('demo-app');
      expect(await issuer.inputValue()).toBe(site.idp.issuer);
      expect(await visibleMessages(page)).toEqual([
        'Changes discarded: the form shows the saved settings again.',
      ]);
      expect(site.problems).toEqual([]);
    });

    it('14.3 replaying the callback, or opening /login, while signed in goes where the user belongs', async () => {
      const page = await site.newPage(viewport);
      let callbackUrl = '';
      page.on('request', (request) => {
        if (request.url().includes('/api/v1/auth/oidc/callback')) callbackUrl = request.url();
      });
      await signInThroughIdp(site, page, bob);
      expect(callbackUrl).not.toBe('');

      const replay = await page.goto(callbackUrl);
      // The server refuses the replayed state; the signed-in user is sent on, not told to start again.
      expect(new URL(replay!.url()).searchParams.get('error')).toMatch(/^state_/);
      await page.waitForURL((u) => u.pathname === '/me');
      await page.locator('#profile').waitFor({ state: 'visible' });
      expect(await page.locator('#user-name').textContent()).toBe('bob');

      await page.goto(url('/login'));
      await page.waitForURL((u) => u.pathname === '/me');
      await page.goto(url(`/login?returnTo=${encodeURIComponent('/me?from=login')}`));
      await page.waitForURL((u) => u.pathname === '/me' && u.search === '?from=login');
      expect(await page.locator('#password-form').isVisible()).toBe(false);
    });

    it('14.4 unsaved changes: a save bar in view with Save and Discard, and a warning before leaving', async () => {
      const page = await site.newPage(viewport);
      await signInAsAdmin(site, page);
      expect(await page.locator('#savebar').isVisible()).toBe(false);
      await page.getByLabel('Client ID').fill('changed-client');
      await expect.poll(() => page.locator('#savebar-actions').isVisible()).toBe(true);
      await expectInViewport(page, '#save');
      await expectInViewport(page, '#discard');
      await screenshot(page, shot('admin-unsaved-changes'));

      // A link of the page asks first; "Cancel" keeps the admin on the form with the change.
      const asked: string[] = [];
      page.once('dialog', (dialog) => {
        asked.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      });
      await page.getByRole('link', { name: 'Your account' }).click();
      expect(asked).toEqual([
        'confirm: You have unsaved changes. Leave this page without saving them?',
      ]);
      expect(pathOf(page)).toBe('/admin');
      expect(await page.getByLabel('Client ID').inputValue()).toBe('changed-client');

      await page.getByRole('button', { name: 'Discard' }).click();
      expect(await page.getByLabel('Client ID').inputValue()).toBe('demo-app');
      expect(await page.locator('#savebar-actions').isVisible()).toBe(false);

      // Saved from anywhere on the page: the bar and its "Saved" stay in view.
      await page.getByLabel('Button text').fill(`Sign in with the Demo IdP (${viewport.name})`);
      await page.locator('#save').click();
      await expect
        .poll(() => page.locator('#notice').textContent())
        .toBe('Saved. The settings apply from the next sign-in.');
      await expectInViewport(page, '#notice');
      expect(await page.locator('#savebar-actions').isVisible()).toBe(false);

      // Leaving the browser tab with changes: the browser's own prompt.
      await page.getByLabel('Scopes').fill('profile email groups');
      const prompt = new Promise<string>((resolve) =>
        page.once('dialog', (dialog) => {
          resolve(dialog.type());
          void dialog.dismiss();
        }),
      );
      await page.close({ runBeforeUnload: true });
      expect(await prompt).toBe('beforeunload');
      expect(site.problems).toEqual([]);
    });

    it('14.5 every page fits the width; mapping rows stack and the auth log needs no sideways scroll', async () => {
      const page = await site.newPage(viewport);
      await page.goto(url('/login'));
      await page.locator('#oidc-section').waitFor({ state: 'visible' });
      expect(await scrollsSideways(page)).toBe(false);
      await screenshot(page, shot('login-page'));

      await signInAsAdmin(site, page);
      await expect.poll(() => page.locator('#log-rows tr').count()).toBeGreaterThan(0);
      expect(await scrollsSideways(page)).toBe(false);
      await screenshot(page, shot('admin-top'), { fullPage: false });
      const mapping = page.locator('section[aria-labelledby="h-teams"]');
      await screenshotOf(mapping, shot('admin-mapping'));
      await screenshotOf(page.locator('#log-panel'), shot('admin-auth-log'));

      // Team names are readable: the team picker is wide, whatever the screen.
      const select = page.locator('#mapping-rows tr').first().locator('select');
      const selectBox = (await select.boundingBox())!;
      expect(selectBox.width).toBeGreaterThan(200);
      const logTable = (await page.locator('table.log').boundingBox())!;
      expect(logTable.width).toBeLessThanOrEqual(viewport.width);
      const rowDisplay = await page
        .locator('#mapping-rows tr')
        .first()
        .evaluate((row) => getComputedStyle(row).display);
      expect(rowDisplay).toBe(viewport.width < 640 ? 'block' : 'table-row');
      if (viewport.width < 640) await screenshotOf(mapping, 'admin-mapping-390');

      await page.goto(url('/me'));
      await page.locator('#profile').waitFor({ state: 'visible' });
      expect(await scrollsSideways(page)).toBe(false);
      await screenshot(page, shot('user-page'));
    });

    it('14.6 reasons in words: the auth log, the login page, the throttle wait, the algorithm field', async () => {
      const unknown = `ghost-${viewport.width}`;
      expect(await wrongPassword(unknown)).toBe(401);
      const page = await site.newPage(viewport);
      await signInAsAdmin(site, page);
      const row = page.locator('#log-rows tr', { hasText: unknown }).first();
      await row.waitFor();
      expect(await row.locator('.reason-text').textContent()).toBe(
        REASON_TEXT.invalid_credentials.text,
      );
      expect(await row.locator('.reason-code').textContent()).toBe('invalid_credentials');

      await page.getByLabel('Allowed signature algorithms').fill('RS256, FOO');
      await page.locator('#save').click();
      const fieldError = page.locator('[data-field="oidc.signatureAlgorithms"] .field-error');
      await fieldError.waitFor({ state: 'visible' });
      expect(await fieldError.textContent()).toMatch(
        /^Unknown signature algorithm "FOO"\. Use one of: RS256/,
      );
      expect(await fieldError.textContent()).not.toContain('see the module options');
      await page.getByRole('button', { name: 'Discard' }).click();

      const login = await site.newPage(viewport);
      await login.goto(url('/login?error=state_mismatch'));
      await expect
        .poll(() => login.locator('#notice').textContent())
        .toBe(REASON_TEXT.state_mismatch.text);

      // Throttled: the page says how long to wait.
      const victim = `victim-${viewport.width}`;
      for (let i = 0; i < 5; i++) await wrongPassword(victim);
      await login.goto(url('/login?password=1'));
      await login.getByLabel('User name').fill(victim);
      await login.getByLabel('Password').fill('still-wrong');
      await login.locator('#password-submit').click();
      await expect
        .poll(() => login.locator('#form-error').textContent())
        .toMatch(/^Too many failed password attempts .* Try again in \d+ (minutes|seconds)\.$/);
      expect(site.problems).toEqual([]);
    });

    it('14.6 a regular user offered the password form is told it is for administrators only', async () => {
      const page = await site.newPage(viewport);
      await page.goto(url('/login'));
      const toggle = page.locator('#fallback-toggle');
      await toggle.waitFor({ state: 'visible' });
      expect(await toggle.textContent()).toContain('Administrator?');
      await toggle.click();
      await page.getByLabel('User name').fill('carol');
      await page.getByLabel('Password').fill('carol-demo');
      await page.locator('#password-submit').click();
      await expect
        .poll(() => page.locator('#form-error').textContent())
        .toContain('only administrators sign in with a password');
    });

    it('14.7 Sign out is not focused, /favicon.ico is served, an admin returns to /admin after the password form', async () => {
      const page = await site.newPage(viewport);
      const failed = watchFailedResponses(page, EXPECTED_401);
      await signInAsAdmin(site, page);
      expect(pathOf(page)).toBe('/admin');
      await page.goto(url('/me'));
      await page.locator('#profile').waitFor({ state: 'visible' });
      expect(await page.evaluate(() => document.activeElement?.id)).not.toBe('logout');
      const favicon = await page.request.get(url('/favicon.ico'));
      expect(favicon.status()).toBe(200);
      expect(favicon.headers()['content-type']).toMatch(/^image\//);
      await page.goto(url('/login?returnTo=/admin'));
      await page.waitForURL((u) => u.pathname === '/admin');
      expect(failed).toEqual([]);
    });

    it('14.9 the demo IdP pages are styled, and its used form after Back explains itself', async () => {
      const page = await site.newPage(viewport);
      await page.goto(url('/login'));
      await page.getByRole('link', { name: /^Sign in with/ }).click();
      await page.waitForURL((u) => u.origin === site.idp.issuer);
      expect(await page.locator('style').count()).toBe(1);
      expect(await scrollsSideways(page)).toBe(false);
      expect(
        await page
          .locator('button[type="submit"]')
          .evaluate((b) => getComputedStyle(b).backgroundColor),
      ).not.toBe('rgba(0, 0, 0, 0)');
      await screenshot(page, shot('idp-login'));
      await page.locator('input[name="login"]').fill(alice.userName);
      await page.locator('input[name="password"]').fill(alice.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.origin === site.t.baseUrl && u.pathname === '/me');

      await page.goBack();
      await page.waitForURL((u) => u.origin === site.idp.issuer);
      // Restored from the cache, the form is submitted again; else the IdP answers at once.
      if (await page.locator('input[name="password"]').isVisible()) {
        await page.locator('input[name="login"]').fill(alice.userName);
        await page.locator('input[name="password"]').fill(alice.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
      }
      await expect
        .poll(() => page.locator('h1').textContent())
        .toBe('This sign-in page has expired');
      expect(await page.locator('body').textContent()).not.toContain('invalid_request');
      expect(await scrollsSideways(page)).toBe(false);
      await screenshot(page, shot('idp-expired'));
    });

    it("11.11 the login page applies the server's returnTo rule, tab/CR/LF variants included", async () => {
      const page = await site.newPage(viewport);
      await page.goto(url('/login'));
      await page.locator('#oidc-section').waitFor({ state: 'visible' });
      const cases = [
        '/admin',
        '/me?x=1#y',
        '/',
        '//evil.example',
        '/\t/evil.example',
        '/\r/evil.example',
        '/\n/evil.example',
        '/\t\t/evil.example',
        '\t//evil.example',
        '/\\evil.example',
        '/%09/evil.example',
        '/%2F/evil.example',
        '/.//evil.example',
        '/a/..//evil.example',
        'https://evil.example',
        'javascript:alert(1)',
        '/a b',
        '',
      ];
      // A string expression: vitest rewrites dynamic imports inside functions it compiles.
      const pageResults = await page.evaluate<string[]>(
        `import('/assets/common.js').then((m) => ${JSON.stringify(cases)}.map((c) => m.safeLocalPath(c, 'FALLBACK')))`,
      );
      const serverResults = cases.map((value) => {
        const safe = safeReturnTo(value);
        return safe === '/' && value !== '/' ? 'FALLBACK' : safe;
      });
      expect(pageResults).toEqual(serverResults);
      expect(pageResults[cases.indexOf('/\t/evil.example')]).toBe('FALLBACK');

      // And through the real form: a tab variant lands on the site, never on another host.
      await page.goto(url(`/login?password=1&returnTo=${encodeURIComponent('/\t/evil.example')}`));
      await page.getByLabel('User name').fill(site.t.adminUserName);
      await page.getByLabel('Password').fill(site.t.adminPassword);
      await page.locator('#password-submit').click();
      await page.waitForURL((u) => u.origin === site.t.baseUrl && u.pathname === '/me');
    });
  });
});
