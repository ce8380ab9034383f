import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIdp, type LocalIdp } from '../../src/demo/local-idp.js';
import { api, createUser, loginAs, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SECRET = 'local-idp-client-secret-0123456789';

describe('OIDC identities bound to (issuer, subject), against a real oidc-provider', () => {
  let t: TestApp;
  let idp: LocalIdp;
  let admin: string;

  const db = () => t.app.get(DataSource);
  const configure = (overrides: Record<string, unknown> = {}) =>
    putSettings(t, admin, {
      method: 'oidc',
      oidc: {
        clientId: 'rp',
        clientSecret: SECRET,
        issuer: idp.issuer,
        authorizationEndpoint: `${idp.issuer}/auth`,
        tokenEndpoint: `${idp.issuer}/token`,
        jwksEndpoint: `${idp.issuer}/jwks`,
        userInfoEndpoint: `${idp.issuer}/me`,
        usernameClaim: 'preferred_username',
        scopes: ['profile', 'email'],
        createUser: true,
        sync: true,
        allowAdminUser: false,
        allowRegularUserFallback: true,
        linkExistingUsers: 'userName',
        ...overrides,
      },
    });

  /** A new IdP account with these claims; answers its subject (also its login). */
  let accounts = 0;
  const account = (claims: Record<string, unknown>): string => {
    const sub = `sub-${++accounts}`;
    idp.addAccount({ sub, password: 'pw', claims });
    return sub;
  };
  const signIn = async (sub: string) => {
    const { callback, sessionToken } = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: sub,
      password: 'pw',
    });
    if (sessionToken) {
      const me = await api(t, 'get', '/api/v1/auth/me', sessionToken);
      expect(me.status).toBe(200);
      return {
        error: null,
        token: sessionToken,
        me: me.body as { id: string; userName: string; isAdmin: boolean },
      };
    }
    expect(callback.status).toBe(302);
    return {
      error: new URL(callback.location!).searchParams.get('error'),
      token: undefined,
      me: undefined,
    };
  };
  const userRows = () =>
    db().query<Record<string, unknown>[]>(
      `SELECT id, user_name, email_address, first_name, is_admin, updated_at
         FROM auth_user ORDER BY user_name`,
    );
  const identitiesOf = (userId: string) =>
    api(t, 'get', `/api/v1/admin/users/${userId}/identities`, admin);

  let dave: { id: string };
  let kate: { id: string };
  let john: { id: string };
  let ines: { id: string };

  beforeAll(async () => {
    t = await startTestApp();
    idp = await startLocalIdp({
      clients: [
        {
          client_id: 'rp',
          client_secret: SECRET,
          redirect_uris: [`${t.baseUrl}/api/v1/auth/oidc/callback`],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      accounts: [],
    });
    admin = await loginAsAdmin(t);
    // The password accounts the look-alike claims reached (old normalisation names).
    dave = await createUser(t, admin, { userName: 'dave', emailAddress: 'dave@corp.test' });
    kate = await createUser(t, admin, { userName: 'kate', emailAddress: 'kate@corp.test' });
    john = await createUser(t, admin, { userName: 'j_hn', emailAddress: 'john@corp.test' });
    ines = await createUser(t, admin, { userName: 'i_nes', emailAddress: 'ines@corp.test' });
  });

  afterAll(async () => {
    await idp?.stop();
    await t?.close();
  });

  const lookAlikes = [
    [' dave\t', '_dave_'],
    ['\u212Aate', '___ate'],
    ['jöhn', 'j__hn'],
    ['İnes', '__nes'],
  ] as const;

  it('with linkExistingUsers "never" none of the take-over claims reaches an existing account', async () => {
    await configure({ linkExistingUsers: 'never' });
    const before = await userRows();
    const upper = await signIn(account({ preferred_username: 'DAVE', email: 'evil@x.test' }));
    expect(upper.error).toBe('identity_conflict');
    for (const [claim, name] of lookAlikes) {
      const result = await signIn(account({ preferred_username: claim, email: 'evil@x.test' }));
      expect(result.error, claim).toBeNull();
      // A new user of its own: the look-alike never lands on dave, kate, j_hn or i_nes.
      expect(result.me?.userName, claim).toBe(name);
    }
    const after = await userRows();
    for (const row of before) expect(after).toContainEqual(row);
    for (const user of [dave, kate, john, ines])
      expect((await identitiesOf(user.id)).body).toEqual([]);
    const log = await api(t, 'get', '/api/v1/admin/auth-log', admin);
    expect(log.body).toContainEqual(
      expect.objectContaining({ userName: 'dave', success: false, reason: 'identity_conflict' }),
    );
  });

  it('with "userName" and createUser off the look-alikes reach no password account', async () => {
    await configure({ linkExistingUsers: 'userName', createUser: false });
    const before = await userRows();
    for (const [claim] of lookAlikes) {
      const result = await signIn(account({ preferred_username: claim, email: 'evil@x.test' }));
      // `_dave_`, `___ate`, ... exist (created above) but are bound to other subjects.
      expect(result.error, claim).toBe('identity_conflict');
    }
    const fresh = await signIn(account({ preferred_username: 'Dävid' }));
    expect(fresh.error).toBe('user_not_found');
    expect(await userRows()).toEqual(before);
  });

  it('with "userName" DAVE is bound to dave (EspoCRM’s way); then only that subject signs in as dave', async () => {
    await configure({ linkExistingUsers: 'userName' });
    const first = account({ preferred_username: 'DAVE', email: 'dave@idp.test' });
    const bound = await signIn(first);
    expect(bound.error).toBeNull();
    expect(bound.me).toMatchObject({ id: dave.id, userName: 'dave' });
    const identities = (await identitiesOf(dave.id)).body as Record<string, unknown>[];
    expect(identities).toEqual([
      {
        id: expect.any(String),
        issuer: idp.issuer,
        subject: first,
        createdAt: expect.any(String),
        lastSeenAt: expect.any(String),
      },
    ]);

    // Another subject whose name maps to dave: refused, and dave's email stays.
    const second = await signIn(account({ preferred_username: 'dave', email: 'evil@x.test' }));
    expect(second.error).toBe('identity_conflict');
    const [row] = await db().query<{ email_address: string }[]>(
      `SELECT email_address FROM auth_user WHERE id = $1`,
      [dave.id],
    );
    expect(row.email_address).toBe('dave@idp.test');
    expect(t.logs.text()).toMatch(/warn OIDC sign-in refused: identity_conflict/);
    expect((await signIn(first)).me?.id).toBe(dave.id);
  });

  it('with "verifiedEmail" binds only a verified email equal to the user’s', async () => {
    await configure({ linkExistingUsers: 'verifiedEmail' });
    const erin = await createUser(t, admin, { userName: 'erin', emailAddress: 'Erin@corp.test' });
    const unverified = account({
      preferred_username: 'erin',
      email: 'erin@corp.test',
      email_verified: false,
    });
    expect((await signIn(unverified)).error).toBe('identity_conflict');
    const otherEmail = account({
      preferred_username: 'erin',
      email: 'erin@elsewhere.test',
      email_verified: true,
    });
    expect((await signIn(otherEmail)).error).toBe('identity_conflict');
    expect((await identitiesOf(erin.id)).body).toEqual([]);
    const verified = account({
      preferred_username: 'Erin',
      email: 'erin@corp.test',
      email_verified: true,
    });
    const bound = await signIn(verified);
    expect(bound.me?.id).toBe(erin.id);
    // Bound now: the earlier subjects stay out even if their email becomes verified.
    idp.setClaims(unverified, {
      preferred_username: 'erin',
      email: 'erin@corp.test',
      email_verified: true,
    });
    expect((await signIn(unverified)).error).toBe('identity_conflict');
  });

  it('ADMIN from a new subject gets an admin session only with allowAdminUser and a policy that links', async () => {
    const claims = { preferred_username: 'ADMIN', email: 'root@x.test', email_verified: true };
    const adminRow = async () =>
      (
        await db().query<{ id: string; email_address: string | null }[]>(
          `SELECT id, email_address FROM auth_user WHERE user_name = $1`,
          [t.adminUserName],
        )
      )[0];
    const { id: adminId } = await adminRow();

    await configure({ allowAdminUser: false, linkExistingUsers: 'userName' });
    expect((await signIn(account(claims))).error).toBe('admin_oidc_disabled');
    for (const policy of ['never', 'verifiedEmail']) {
      await configure({ allowAdminUser: true, linkExistingUsers: policy });
      expect((await signIn(account(claims))).error, policy).toBe('identity_conflict');
    }
    expect((await identitiesOf(adminId)).body).toEqual([]);
    expect((await adminRow()).email_address).toBeNull();

    await configure({ allowAdminUser: true, linkExistingUsers: 'userName' });
    const linked = await signIn(account(claims));
    expect(linked.me).toMatchObject({ id: adminId, isAdmin: true });
    expect(t.logs.text()).toMatch(/warn Bound the administrator account "admin"/);
  });

  it('a bound user follows a renamed user-name claim, unless the new name is taken', async () => {
    await configure();
    const sub = account({ preferred_username: 'frank' });
    const first = await signIn(sub);
    expect(first.me?.userName).toBe('frank');
    idp.setClaims(sub, { preferred_username: 'Franklin' });
    const renamed = await signIn(sub);
    expect(renamed.me).toMatchObject({ id: first.me?.id, userName: 'franklin' });
    // The password form follows the rename too.
    await api(t, 'patch', `/api/v1/admin/users/${first.me!.id}`, admin)
      .send({ password: 'franklin-password' })
      .expect(200);
    await loginAs(t, 'franklin', 'franklin-password');

    idp.setClaims(sub, { preferred_username: 'kate' });
    expect((await signIn(sub)).error).toBe('identity_conflict');
    const [kateRow] = await db().query<{ user_name: string }[]>(
      `SELECT user_name FROM auth_user WHERE id = $1`,
      [kate.id],
    );
    expect(kateRow.user_name).toBe('kate');
  });

  it('the identities API lists, removes (ending its sessions) and links identities', async () => {
    await configure({ linkExistingUsers: 'never' });
    const sub = account({ preferred_username: 'gwen' });
    const first = await signIn(sub);
    const userId = first.me!.id;
    const [identity] = (await identitiesOf(userId)).body as { id: string }[];

    const user = await createUser(t, admin);
    const nonAdmin = await loginAs(t, user.userName, user.password);
    expect((await api(t, 'get', `/api/v1/admin/users/${userId}/identities`, nonAdmin)).status).toBe(
      403,
    );
    expect((await api(t, 'get', `/api/v1/admin/users/${userId}/identities`)).status).toBe(401);
    expect(
      (
        await api(
          t,
          'get',
          '/api/v1/admin/users/00000000-0000-4000-8000-000000000000/identities',
          admin,
        )
      ).body.error,
    ).toBe('not_found');
    expect((await api(t, 'get', '/api/v1/admin/users/nope/identities', admin)).status).toBe(404);
    expect(
      (await api(t, 'delete', `/api/v1/admin/users/${user.id}/identities/${identity.id}`, admin))
        .status,
    ).toBe(404);

    await api(t, 'delete', `/api/v1/admin/users/${userId}/identities/${identity.id}`, admin).expect(
      204,
    );
    expect((await identitiesOf(userId)).body).toEqual([]);
    expect((await api(t, 'get', '/api/v1/auth/me', first.token)).status).toBe(401);
    // Unbound, and "never" links no existing user: refused until an admin links it again.
    expect((await signIn(sub)).error).toBe('identity_conflict');

    const bad = await api(t, 'post', `/api/v1/admin/users/${userId}/identities`, admin).send({
      issuer: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation_failed');
    const linked = await api(t, 'post', `/api/v1/admin/users/${userId}/identities`, admin).send({
      issuer: idp.issuer,
      subject: sub,
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    expect(linked.body).toMatchObject({ issuer: idp.issuer, subject: sub });
    const again = await api(t, 'post', `/api/v1/admin/users/${user.id}/identities`, admin).send({
      issuer: idp.issuer,
      subject: sub,
    });
    expect(again.status).toBe(409);
    expect((await signIn(sub)).me?.id).toBe(userId);
  });

  it('describes the identities endpoints and the new settings in the OpenAPI document', async () => {
    const doc = await api(t, 'get', '/api/docs-json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/v1/admin/users/{id}/identities'])).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(paths['/api/v1/admin/users/{id}/identities/{identityId}']).toHaveProperty('delete');
    const oidc = doc.body.components.schemas.OidcSettingsDto.properties as Record<string, unknown>;
    for (const field of [
      'linkExistingUsers',
      'allowedGroups',
      'allowedEmailDomains',
      'adminGroups',
      'adminRoleSource',
    ])
      expect(oidc, field).toHaveProperty(field);
  });
});
