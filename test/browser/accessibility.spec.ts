// axe-core on every page of the demo (and the demo IdP's), at 1280 and 390 px: no serious or critical violation
// (the admin page with its providers section and a provider's form too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/demo/demo-idp-setup.js';
import { discoveredOidcSettings } from '../support/local-idp-site.js';
import { seriousViolations } from './support/axe.js';
import {
  type DemoSite,
  signInAsAdmin,
  signInThroughIdp,
  startDemoSite,
  VIEWPORTS,
} from './support/demo-site.js';

const alice = DEMO_USERS.find((user) => user.userName === 'alice')!;

describe('accessibility (axe-core)', () => {
  let site: DemoSite;

  beforeAll(async () => {
    site = await startDemoSite();
  });

  afterAll(async () => {
    await site?.close();
  });

  it('the check finds a real violation (control: an image without alt text, a nameless button)', async () => {
    const page = await site.newPage();
    await page.goto(`${site.t.baseUrl}/login`);
    await page.locator('#oidc-section').waitFor({ state: 'visible' });
    await page.evaluate(() => {
      const image = document.createElement('img');
      image.src = '/favicon.ico';
      document.body.append(image, document.createElement('button'));
    });
    const found = await seriousViolations(page);
    expect(found.some((v) => v.includes('image-alt'))).toBe(true);
    expect(found.some((v) => v.includes('button-name'))).toBe(true);
  });

  describe.each(VIEWPORTS)('at $width px', (viewport) => {
    it('the login page, with its password form and an error open', async () => {
      const page = await site.newPage(viewport);
      await page.goto(`${site.t.baseUrl}/login?error=state_mismatch&password=1`);
      await page.locator('#password-section').waitFor({ state: 'visible' });
      expect(await seriousViolations(page)).toEqual([]);
    });

    it('the demo IdP login page, /me and the admin page (with a field error and the save bar)', async () => {
      const page = await site.newPage(viewport);
      await page.goto(`${site.t.baseUrl}/login`);
      await page.getByRole('link', { name: /^Sign in with/ }).click();
      await page.waitForURL((u) => u.origin === site.idp.issuer);
      expect(await seriousViolations(page)).toEqual([]);
      await page.goto(`${site.t.baseUrl}/login`);
      await signInThroughIdp(site, page, alice);
      expect(await seriousViolations(page)).toEqual([]);

      const admin = await site.newPage(viewport);
      await signInAsAdmin(site, admin);
      await admin.locator('#log-rows tr').first().waitFor();
      expect(await seriousViolations(admin)).toEqual([]);
      await admin.getByLabel('Client ID').fill('');
      await admin.locator('#save').click();
      await admin.locator('#error-list li').first().waitFor();
      expect(await seriousViolations(admin)).toEqual([]);
    });

    it("the admin page's providers section, a provider in the form and its field errors", async () => {
      const id = `a11y-${viewport.width}`;
      await site.admin.expect('POST', '/admin/authentication/providers', 201, {
        id,
        label: 'Partners SSO',
        enabled: false,
        oidc: await discoveredOidcSettings(site.idp, { client_id: 'a11y', client_secret: 'x' }),
      });
      try {
        const admin = await site.newPage(viewport);
        await signInAsAdmin(site, admin);
        await admin.locator(`#provider-rows li[data-provider="${id}"]`).waitFor();
        expect(await seriousViolations(admin)).toEqual([]);
        await admin.getByRole('button', { name: 'Edit Partners SSO' }).click();
        await admin.locator('#provider-panel').waitFor({ state: 'visible' });
        expect(await admin.evaluate(() => document.activeElement?.id)).toBe('h-provider');
        expect(await seriousViolations(admin)).toEqual([]);
        await admin.getByRole('button', { name: 'Add provider' }).click();
        await admin.locator('#provider\\.id').fill('Not A Slug');
        await admin.locator('#save').click();
        await admin.locator('[data-field="id"] .field-error').waitFor({ state: 'visible' });
        expect(await seriousViolations(admin)).toEqual([]);
      } finally {
        await site.admin.expect('DELETE', `/admin/authentication/providers/${id}`, 200);
      }
    });
  });
});
