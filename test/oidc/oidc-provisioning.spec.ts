import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthSettingsService } from '../../src/index.js';
import { OidcProvisioningService } from '../../src/oidc/oidc-provisioning.service.js';
import { UserEntity } from '../../src/users/user.entity.js';
import { loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('OIDC user provisioning', () => {
  let t: TestApp;
  let provisioning: OidcProvisioningService;
  let admin: string;

  const settings = () => t.app.get(AuthSettingsService).get();
  const claims = (extra: Record<string, unknown>) => ({
    iss: 'http://127.0.0.1:1',
    sub: 'sub-x',
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestApp();
    provisioning = t.app.get(OidcProvisioningService);
    admin = await loginAsAdmin(t);
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: {
        clientId: 'c',
        clientSecret: 'secret-secret-secret',
        issuer: 'http://127.0.0.1:1',
        authorizationEndpoint: 'http://127.0.0.1:1/auth',
        tokenEndpoint: 'http://127.0.0.1:1/token',
        jwksEndpoint: 'http://127.0.0.1:1/jwks',
        usernameClaim: 'profile.login',
        createUser: true,
      },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('creates exactly one user for 50 concurrent first logins', async () => {
    const current = await settings();
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        provisioning.provision(claims({ profile: { login: 'Many Tabs' } }), current),
      ),
    );
    expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const count = await t.app
      .get(DataSource)
      .getRepository(UserEntity)
      .count({ where: { userName: 'many_tabs' } });
    expect(count).toBe(1);
    const identities = await t.app
      .get(DataSource)
      .query<{ n: string }[]>(`SELECT count(*) AS n FROM auth_identity WHERE subject = 'sub-x'`);
    expect(Number(identities[0].n)).toBe(1);
  });

  it('binds one of two subjects signing in at once under one new user name; the other is refused', async () => {
    const current = await settings();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) =>
        provisioning.provision(
          { ...claims({ profile: { login: 'Race' } }), sub: `race-${index % 2}` },
          current,
        ),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    const subjects = await t.app
      .get(DataSource)
      .query<{ subject: string }[]>(
        `SELECT i.subject FROM auth_identity i JOIN auth_user u ON u.id = i.user_id WHERE u.user_name = 'race'`,
      );
    expect(subjects).toHaveLength(1);
    // Every sign-in of the bound subject succeeds; every one of the other is refused.
    expect(won).toHaveLength(5);
    for (const r of lost) expect(r.reason).toMatchObject({ code: 'identity_conflict' });
  });

  it('refuses a missing username claim and a name over 255 characters', async () => {
    const current = await settings();
    await expect(provisioning.provision(claims({}), current)).rejects.toMatchObject({
      code: 'username_claim_missing',
    });
    await expect(
      provisioning.provision(claims({ profile: { login: 'x'.repeat(256) } }), current),
    ).rejects.toMatchObject({ code: 'username_too_long' });
  });

  it('normalises names like EspoCRM: ASCII lower case, every other byte and spaces to _', async () => {
    const current = await settings();
    const { user } = await provisioning.provision(
      claims({ profile: { login: "Jörg O'Neil@Example.COM" } }),
      current,
    );
    // ö is two bytes in UTF-8, so two underscores (was one per UTF-16 unit before).
    expect(user.userName).toBe('j__rg_o_neil@example.com');
  });
});
