// One demo site for a browser spec: the app on a fixed port, the local IdP, the demo set-up, chromium.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import {
  AdminApiClient,
  configureDemoOidc,
  demoIdpAccounts,
  demoIdpClient,
  readSettingsUris,
} from '../../../src/demo/demo-idp-setup.js';
import { freePort } from '../../../src/demo/embedded-postgres.js';
import { type LocalIdp, startLocalIdp } from '../../../src/demo/local-idp.js';
import { startTestApp, type StartTestAppOptions, type TestApp } from '../../support/test-app.js';
import { launchChromium, watchPageProblems } from './chromium.js';

export const CLIENT_SECRET = 'browser-test-secret-0123456789abcdef';

export const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
export type Viewport = (typeof VIEWPORTS)[number];

export interface DemoSite {
  t: TestApp;
  idp: LocalIdp;
  browser: Browser;
  admin: AdminApiClient;
  /** Script errors and CSP violations of every page opened so far. */
  problems: string[];
  newPage(viewport?: Viewport, options?: { bypassCSP?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export async function startDemoSite(options: StartTestAppOptions = {}): Promise<DemoSite> {
  // The site URL must be known before the IdP registers its redirect URI.
  const port = await freePort();
  const t = await startTestApp({ port, siteUrl: `http://127.0.0.1:${port}`, ...options });
  const admin = new AdminApiClient(t.baseUrl);
  await admin.signIn(t.adminUserName, t.adminPassword);
  const uris = await readSettingsUris(admin);
  const idp = await startLocalIdp({
    clients: [demoIdpClient({ siteUrl: t.baseUrl, ...uris }, CLIENT_SECRET)],
    accounts: demoIdpAccounts(),
  });
  // The same set-up `npm run demo` runs: Discover, then Save, through the admin API.
  await configureDemoOidc(admin, idp.issuer, CLIENT_SECRET);
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  return {
    t,
    idp,
    browser,
    admin,
    problems,
    async newPage(viewport = VIEWPORTS[0], pageOptions = {}) {
      const context = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
        bypassCSP: pageOptions.bypassCSP ?? false,
      });
      contexts.push(context);
      const page = await context.newPage();
      problems.push(...watchPageProblems(page));
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await t.close();
      await idp.stop();
    },
  };
}

/** From the app's login page through the IdP's own login form, back to the user page. */
export async function signInThroughIdp(
  site: DemoSite,
  page: Page,
  user: { userName: string; password: string },
  start = '/login',
): Promise<void> {
  await page.goto(`${site.t.baseUrl}${start}`);
  await page.getByRole('link', { name: /^Sign in with/ }).click();
  await page.waitForURL((url) => url.origin === site.idp.issuer);
  await page.locator('input[name="login"]').fill(user.userName);
  await page.locator('input[name="password"]').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === site.t.baseUrl && url.pathname === '/me');
  await page.locator('#profile').waitFor({ state: 'visible' });
}

/** Password sign-in of the bootstrap admin through the login page, coming from `/admin`. */
export async function signInAsAdmin(site: DemoSite, page: Page): Promise<void> {
  await page.goto(`${site.t.baseUrl}/admin`);
  await page.waitForURL((url) => url.pathname === '/login');
  await page.getByRole('button', { name: /password/i }).click();
  await page.getByLabel('User name').fill(site.t.adminUserName);
  await page.getByLabel('Password').fill(site.t.adminPassword);
  await page.locator('#password-submit').click();
  await page.waitForURL(`${site.t.baseUrl}/admin`);
  await page.locator('#settings-form').waitFor({ state: 'visible' });
}

/** Whether the page scrolls sideways (content wider than the viewport). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
  );
}

/** The visible messages of the admin form and page, as text. */
export async function visibleMessages(page: Page): Promise<string[]> {
  const notices = page.locator('.notice:visible');
  return (await notices.allTextContents()).map((text) => text.trim()).filter(Boolean);
}

export async function expectInViewport(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  const viewport = page.viewportSize()!;
  expect(box, selector).not.toBeNull();
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height + 1);
}
