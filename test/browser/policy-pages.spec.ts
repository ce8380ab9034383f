// Issue 12, the page side: the login page's providers, auto-redirect and escape hatch; the admin
// page's new settings and its test sign-in, at 1280 and 390 px.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASON_TEXT } from '../../src/common/reason-text.js';
import { DEMO_USERS } from '../../src/demo/demo-idp-setup.js';
import { seriousViolations } from './support/axe.js';
import { screenshot } from './support/chromium.js';
import { type DemoSite, signInAsAdmin, startDemoSite, VIEWPORTS } from './support/demo-site.js';

const alice = DEMO_USERS.find((user) => user.userName === 'alice')!;
const carol = DEMO_USERS.find((user) => user.userName === 'carol')!;

describe('login page and admin page of the access settings (issue 12)', () => {
  let site: DemoSite;

  beforeAll(async () => {
    site = await startDemoSite();
  });

  afterAll(async () => {
    await site?.close();
  });

  const url = (path: string) => `${site.t.baseUrl}${path}`;
  const setOidc = (oidc: Record<string, unknown>) =>
    site.admin.expect('PUT', '/admin/authentication', 200, { oidc });

  describe.each(VIEWPORTS)('at $width px', (viewport) => {
    it('one button per provider with its label; auto-redirect goes straight to the IdP; ?password=1 is the escape hatch', async () => {
      await setOidc({ buttonLabel: 'Sign in with Demo SSO', autoRedirect: false });
      const page = await site.newPage(viewport);
      await page.goto(url('/login'));
      const buttons = page.locator('#provider-list a');
      await buttons.first().waitFor();
      expect(await buttons.allTextContents()).toEqual(['Sign in with Demo SSO']);

      await setOidc({ autoRedirect: true });
      try {
        await page.goto(url('/login?returnTo=/me'));
        await page.waitForURL((u) => u.origin === site.idp.issuer);
        expect(await page.locator('input[name="password"]').isVisible()).toBe(true);

        await page.goto(url('/login?password=1'));
        await page.locator('#password-section').waitFor({ state: 'visible' });
        expect(new URL(page.url()).origin).toBe(site.t.baseUrl);
        await page.getByLabel('User name').fill(site.t.adminUserName);
        await page.getByLabel('Password').fill(site.t.adminPassword);
        await page.locator('#password-submit').click();
        await page.waitForURL((u) => u.origin === site.t.baseUrl && u.pathname === '/me');

        // A refusal coming back from the IdP is shown, not bounced to the IdP again.
        const other = await site.newPage(viewport);
        await other.goto(url('/login?error=user_not_found'));
        await other.locator('#notice').waitFor({ state: 'visible' });
        expect(new URL(other.url()).origin).toBe(site.t.baseUrl);
      } finally {
        await setOidc({ autoRedirect: false, buttonLabel: null });
      }
      expect(site.problems).toEqual([]);
    });

    it('the admin page shows the new settings; Test sign-in previews the user in a new tab and signs nobody in', async () => {
      const page = await site.newPage(viewport);
      await signInAsAdmin(site, page);
      for (const label of [
        'Button text',
        'Go straight to the identity provider',
        'Key cache period (seconds)',
      ])
        expect(await page.getByLabel(label).isVisible(), label).toBe(true);
      await screenshot(page, `admin-settings-${viewport.width}`);

      const tabPromise = page.context().waitForEvent('page');
      await page.getByRole('button', { name: 'Test sign-in' }).click();
      const tab = await tabPromise;
      await tab.waitForURL((u) => u.origin === site.idp.issuer);
      await tab.locator('input[name="login"]').fill(alice.userName);
      await tab.locator('input[name="password"]').fill(alice.password);
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await tab.waitForURL(
        (u) => u.origin === site.t.baseUrl && u.pathname === '/admin/test-sign-in',
      );
      await tab.locator('#result').waitFor({ state: 'visible' });
      expect(await tab.locator('#outcome strong').textContent()).toBe('Would sign in');
      expect(await tab.locator('#outcome').textContent()).not.toMatch(/null|undefined/);
      expect(await tab.locator('#plan-lists').textContent()).toContain('Staff');
      expect(await tab.locator('#plan').textContent()).toContain('alice');
      expect(await tab.locator('#checks .badge-fail').count()).toBe(0);
      expect(await tab.locator('#checks li').count()).toBeGreaterThan(5);
      expect(await tab.locator('#id-token-claims').textContent()).toContain('"sub"');
      // Never a token in the page.
      expect(await tab.locator('body').textContent()).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
      await screenshot(tab, `test-sign-in-${viewport.width}`);
      expect(await seriousViolations(tab)).toEqual([]);

      // The tab is still the admin's session, nobody else's: the test created none.
      const me = await tab.request.get(url('/api/v1/auth/me'));
      expect(((await me.json()) as { userName: string }).userName).toBe(site.t.adminUserName);
      expect(site.problems).toEqual([]);
    });

    it('a test sign-in with unsaved "Allowed groups" shows the refusal in words, and nothing is saved', async () => {
      const page = await site.newPage(viewport);
      await signInAsAdmin(site, page);
      await page.getByLabel('Allowed groups').fill('staff');
      const tabPromise = page.context().waitForEvent('page');
      await page.getByRole('button', { name: 'Test sign-in' }).click();
      const tab = await tabPromise;
      await tab.waitForURL((u) => u.origin === site.idp.issuer);
      await tab.locator('input[name="login"]').fill(carol.userName);
      await tab.locator('input[name="password"]').fill(carol.password);
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await tab.locator('#result').waitFor({ state: 'visible' });
      expect(await tab.locator('#outcome strong').textContent()).toBe('Would be refused');
      expect(await tab.locator('#outcome code').textContent()).toBe('group_not_allowed');
      expect(await tab.locator('#outcome').textContent()).toContain(
        REASON_TEXT.group_not_allowed.text,
      );
      expect(await tab.locator('#checks .badge-fail').count()).toBe(1);
      await screenshot(tab, `test-sign-in-refused-${viewport.width}`);
      expect(await seriousViolations(tab)).toEqual([]);

      const stored = (await site.admin.expect('GET', '/admin/authentication', 200)) as {
        oidc: { allowedGroups: string[] };
      };
      expect(stored.oidc.allowedGroups).toEqual([]);
      expect(site.problems).toEqual([]);
    });
  });
});
