// Issue 13, point 6, in a real browser: the admin page's providers section. An admin adds a
// second provider (its own local oidc-provider), an end user signs in through its button, the
// admin disables it, tests it and deletes it; the server's field errors land on their fields.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASON_TEXT } from '../../src/common/reason-text.js';
import { type LocalIdp, startLocalIdp } from '../../src/demo/local-idp.js';
import { screenshot, screenshotOf } from './support/chromium.js';
import { type DemoSite, signInAsAdmin, startDemoSite } from './support/demo-site.js';

const PARTNERS_SECRET = 'partners-secret-0123456789abcdef';
const LABEL = 'Sign in with Partners';
const dana = { userName: 'dana', password: 'dana-partners' };

interface ProviderView {
  id: string;
  label: string;
  enabled: boolean;
  clientSecretSet: boolean;
  redirectUri: string;
  oidc: Record<string, unknown>;
}

describe('admin page: several identity providers (issue 13)', () => {
  let site: DemoSite;
  let partners: LocalIdp;

  beforeAll(async () => {
    site = await startDemoSite();
    // The redirect URI of provider `partners` follows from the site URL and its id.
    partners = await startLocalIdp({
      clients: [
        {
          client_id: 'partners-app',
          client_secret: PARTNERS_SECRET,
          redirect_uris: [`${site.t.baseUrl}/api/v1/auth/oidc/partners/callback`],
          post_logout_redirect_uris: [site.t.baseUrl],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      accounts: [
        {
          sub: 'dana-at-partners',
          password: dana.password,
          claims: {
            preferred_username: dana.userName,
            email: 'dana@partners.test',
            groups: ['partners'],
          },
        },
      ],
    });
  });

  afterAll(async () => {
    await site?.close();
    await partners?.stop();
  });

  const url = (path: string) => `${site.t.baseUrl}${path}`;
  const notice = (page: Page) => page.locator('#notice').textContent();
  const row = (page: Page, id: string) => page.locator(`#provider-rows li[data-provider="${id}"]`);
  const listProviders = async () =>
    (await site.admin.expect('GET', '/admin/authentication/providers', 200)) as ProviderView[];

  /** The login page's buttons, as their texts. */
  async function loginButtons(page: Page): Promise<string[]> {
    await page.goto(url('/login'));
    await page.locator('#provider-list a').first().waitFor();
    return page.locator('#provider-list a').allTextContents();
  }

  /** At the local IdP's own login form (the page is already there). */
  async function signInAtIdp(page: Page, idp: LocalIdp, user: typeof dana): Promise<void> {
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.locator('input[name="login"]').fill(user.userName);
    await page.locator('input[name="password"]').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  it(
    'add, list, sign in through its button, disable, test sign-in, delete',
    { timeout: 240_000 },
    async () => {
      const admin = await site.newPage();
      await signInAsAdmin(site, admin);
      await row(admin, 'default').waitFor();
      expect(await admin.locator('#provider-rows li').count()).toBe(1);
      expect(await row(admin, 'default').locator('.badge-main').textContent()).toBe(
        'main provider',
      );
      expect(await row(admin, 'default').locator('input').first().inputValue()).toBe(
        url('/api/v1/auth/oidc/callback'),
      );

      // Add: the same settings form, with id, label and enabled on top.
      await admin.getByRole('button', { name: 'Add provider' }).click();
      await expect.poll(() => admin.locator('#h-provider').textContent()).toBe('New provider');
      expect(await admin.evaluate(() => document.activeElement?.id)).toBe('provider.id');
      expect(await admin.locator('#method-panel').isVisible()).toBe(false);
      // Site-wide settings are not part of a provider's form.
      expect(await admin.getByLabel('Button text').isVisible()).toBe(false);
      // A new provider starts from the server's defaults, not from the main provider's values.
      expect(await admin.getByLabel('Client ID').inputValue()).toBe('');
      expect(await admin.getByLabel('Issuer URL').inputValue()).toBe('');
      expect(await admin.getByLabel('Scopes').inputValue()).toBe('profile email');
      expect(await admin.getByLabel('User name claim').inputValue()).toBe('sub');
      expect(await admin.getByLabel('Use PKCE (S256)').isChecked()).toBe(true);
      expect(await admin.locator('#mapping-rows tr').count()).toBe(0);
      expect(await admin.locator('#secret-state').textContent()).toBe('No client secret set.');
      expect(await admin.getByRole('button', { name: 'Test sign-in' }).isDisabled()).toBe(true);
      await admin.locator('#provider\\.id').fill('partners');
      expect(await admin.locator('#redirectUri').inputValue()).toBe(
        url('/api/v1/auth/oidc/partners/callback'),
      );
      await admin.locator('#provider\\.label').fill(LABEL);
      await admin.getByLabel('Issuer URL').fill(partners.issuer);
      await admin.getByRole('button', { name: 'Discover' }).click();
      await expect.poll(() => notice(admin)).toMatch(/^Discover filled/);
      expect(await admin.getByLabel('Token endpoint').inputValue()).toBe(
        `${partners.issuer}/token`,
      );
      await admin.getByLabel('Client ID').fill('partners-app');
      await admin.getByLabel('Client secret').fill(PARTNERS_SECRET);
      await admin.getByLabel('Client authentication').selectOption('client_secret_basic');
      await admin.getByLabel('User name claim').fill('preferred_username');
      await admin.getByLabel('Create users on first sign-in').check();
      await admin.getByLabel('Group claim').fill('groups');
      await admin.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => notice(admin))
        .toBe(
          `Provider “${LABEL}” added. Register its redirect URI (shown below) at its identity provider.`,
        );

      // Listed, with its URIs to copy; the secret is set and never shown.
      const partnersRow = row(admin, 'partners');
      await partnersRow.waitFor();
      expect(await admin.locator('#provider-rows li').count()).toBe(2);
      expect(await partnersRow.locator('h3').textContent()).toBe(LABEL);
      expect(await partnersRow.locator('.provider-id').textContent()).toBe('partners');
      expect(await partnersRow.getByLabel('Redirect URI', { exact: true }).inputValue()).toBe(
        url('/api/v1/auth/oidc/partners/callback'),
      );
      expect(
        await partnersRow.getByLabel('Back-channel logout URI', { exact: true }).inputValue(),
      ).toBe(url('/api/v1/backchannelLogout'));
      expect(await partnersRow.locator('.badge-ok').textContent()).toBe('enabled');
      expect(await partnersRow.locator('.secret-state').textContent()).toBe(
        'A client secret is set.',
      );
      expect(await partnersRow.getAttribute('class')).toContain('is-editing');
      expect(await admin.locator('#h-provider').textContent()).toBe(`Provider “${LABEL}”`);
      expect(await admin.locator('#provider\\.id').getAttribute('readonly')).not.toBeNull();
      expect(await admin.locator('#secret-state').textContent()).toBe('A client secret is set.');
      expect(await admin.locator('body').textContent()).not.toContain(PARTNERS_SECRET);
      await screenshotOf(admin.locator('#providers-panel'), 'admin-providers');
      const stored = (await listProviders()).find((p) => p.id === 'partners')!;
      expect(stored).toMatchObject({ label: LABEL, enabled: true, clientSecretSet: true });
      expect(stored.oidc).toMatchObject({
        clientId: 'partners-app',
        issuer: partners.issuer,
        tokenEndpointAuthMethod: 'client_secret_basic',
        usernameClaim: 'preferred_username',
        createUser: true,
        groupClaim: 'groups',
      });

      // The login page shows two buttons; an end user signs in through the new one.
      const user = await site.newPage();
      const buttons = await loginButtons(user);
      expect(buttons).toHaveLength(2);
      expect(buttons[1]).toBe(LABEL);
      await screenshot(user, 'login-two-providers');
      await user.getByRole('link', { name: LABEL }).click();
      await signInAtIdp(user, partners, dana);
      await user.waitForURL((u) => u.origin === site.t.baseUrl && u.pathname === '/me');
      await user.locator('#profile').waitFor({ state: 'visible' });
      expect(await user.locator('#user-name').textContent()).toBe('dana');

      // Disable: its button leaves the login page.
      await partnersRow.getByRole('button', { name: `Disable ${LABEL}` }).click();
      await expect
        .poll(() => notice(admin))
        .toBe(`“${LABEL}” is disabled: its button is no longer on the login page.`);
      expect(await partnersRow.locator('.badge-off').textContent()).toBe('disabled');
      expect(await admin.locator('#provider\\.enabled').isChecked()).toBe(false);
      const visitor = await site.newPage();
      expect(await loginButtons(visitor)).not.toContain(LABEL);
      expect(await visitor.locator('#provider-list a').count()).toBe(1);

      // Test sign-in through it, with an unsaved change in the form: the report shows its effect.
      await admin.getByLabel('Allowed groups').fill('nobody-has-this');
      const tabPromise = admin.context().waitForEvent('page');
      await admin.getByRole('button', { name: 'Test sign-in' }).click();
      const tab = await tabPromise;
      await signInAtIdp(tab, partners, dana);
      await tab.waitForURL(
        (u) => u.origin === site.t.baseUrl && u.pathname === '/admin/test-sign-in',
      );
      await tab.locator('#result').waitFor({ state: 'visible' });
      expect(await tab.locator('#outcome strong').textContent()).toBe('Would be refused');
      expect(await tab.locator('#outcome code').textContent()).toBe('group_not_allowed');
      expect(await tab.locator('#outcome').textContent()).toContain(
        REASON_TEXT.group_not_allowed.text,
      );
      expect(await tab.locator('#id-token-claims').textContent()).toContain(partners.issuer);
      await screenshot(tab, 'test-sign-in-partners');
      await tab.close();
      expect((await listProviders()).find((p) => p.id === 'partners')!.oidc.allowedGroups).toEqual(
        [],
      );
      await admin.getByRole('button', { name: 'Discard' }).click();
      expect(await admin.getByLabel('Allowed groups').inputValue()).toBe('');

      // Delete: the confirmation says its sessions end; the answer's count is shown.
      const asked: string[] = [];
      admin.once('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.accept();
      });
      await partnersRow.getByRole('button', { name: `Delete ${LABEL}` }).click();
      await expect
        .poll(() => notice(admin))
        .toBe(`Provider “${LABEL}” deleted; 1 session ended. Its users stay.`);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain(`Delete the provider “${LABEL}” (partners)?`);
      expect(asked[0]).toContain('Its sessions are ended');
      expect(await row(admin, 'partners').count()).toBe(0);
      expect(await admin.locator('#provider-rows li').count()).toBe(1);
      // The form is back on the main provider.
      expect(await admin.locator('#provider-panel').isVisible()).toBe(false);
      expect(await admin.locator('#method-panel').isVisible()).toBe(true);
      expect(await admin.getByLabel('Client ID').inputValue()).toBe('demo-app');
      await expect
        .poll(async () => (await user.request.get(url('/api/v1/auth/me'))).status())
        .toBe(401);
      expect((await listProviders()).map((p) => p.id)).toEqual(['default']);
      expect(site.problems).toEqual([]);
    },
  );

  it('a field error from the server (bad id, id taken) shows on the id field', async () => {
    const admin = await site.newPage();
    await signInAsAdmin(site, admin);
    await row(admin, 'default').waitFor();
    const posts: number[] = [];
    admin.on('response', (response) => {
      if (
        response.request().method() === 'POST' &&
        response.url() === url('/api/v1/admin/authentication/providers')
      )
        posts.push(response.status());
    });
    await admin.getByRole('button', { name: 'Add provider' }).click();
    const id = admin.locator('#provider\\.id');
    await id.fill('Bad Id!');
    await admin.locator('#provider\\.label').fill('Bad');
    await admin.getByRole('button', { name: 'Save' }).click();
    const idError = admin.locator('[data-field="id"] .field-error');
    await idError.waitFor({ state: 'visible' });
    expect(posts).toEqual([400]);
    const serverText =
      'Required: lower-case letters, digits and "-", starting with a letter or digit, at most 63.';
    expect(await idError.textContent()).toBe(serverText);
    expect(await id.getAttribute('aria-invalid')).toBe('true');
    expect(
      await admin.locator(`[id="${await id.getAttribute('aria-describedby')}"]`).textContent(),
    ).toBe(serverText);
    expect(await notice(admin)).toMatch(/^Not saved: \d+ fields to fix\.$/);
    expect(await admin.locator('#error-list li').allTextContents()).toContain(`Id: ${serverText}`);
    // The other server errors of the same answer are on their fields too.
    expect(await admin.locator('[data-field="oidc.clientId"] .field-error').isVisible()).toBe(true);
    await screenshotOf(admin.locator('#provider-panel'), 'admin-provider-field-error');

    // An id that is taken: the 409's field error, on the same field.
    await site.admin.expect('POST', '/admin/authentication/providers', 201, {
      id: 'taken',
      label: 'Taken',
      enabled: false,
      oidc: {
        clientId: 'x',
        issuer: partners.issuer,
        authorizationEndpoint: `${partners.issuer}/auth`,
        tokenEndpoint: `${partners.issuer}/token`,
        jwksEndpoint: `${partners.issuer}/jwks`,
      },
    });
    try {
      await id.fill('taken');
      await admin.getByLabel('Issuer URL').fill(partners.issuer);
      await admin.getByRole('button', { name: 'Discover' }).click();
      await expect.poll(() => notice(admin)).toMatch(/^Discover filled/);
      await admin.getByLabel('Client ID').fill('partners-app');
      await admin.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => idError.textContent()).toBe('Already taken.');
      expect(posts).toEqual([400, 409]);
      expect(await notice(admin)).toBe('Not saved: 1 field to fix.');
      expect(await admin.locator('#error-list li').allTextContents()).toEqual([
        'Id: Already taken.',
      ]);
      expect((await listProviders()).map((p) => p.id)).toEqual(['default', 'taken']);
    } finally {
      await site.admin.expect('DELETE', '/admin/authentication/providers/taken', 200);
    }
    expect(site.problems).toEqual([]);
  });
});
