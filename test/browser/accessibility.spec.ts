// axe-core on every page of the demo (and the demo IdP's), at 1280 and 390 px: no serious or critical violation.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/demo/demo-idp-setup.js';
import {
  type DemoSite,
  signInAsAdmin,
  signInThroughIdp,
  startDemoSite,
  VIEWPORTS,
} from './support/demo-site.js';

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
const alice = DEMO_USERS.find((user) => user.userName === 'alice')!;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe in the page (evaluated over the DevTools protocol, so the page's CSP stays as it is). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((r) => r.violations)`,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

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
  });
});
