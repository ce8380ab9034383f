import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthSettingsService } from '../../src/index.js';
import { OidcProvisioningService } from '../../src/oidc/oidc-provisioning.service.js';
import { api, createTeam, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Team = { id: string; name: string };

describe('team sync edge cases and access policy (crafted IdP)', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;
  let eng: Team;
  let ops: Team;
  let always: Team;
  let manual: Team;
  /** Claims of the next ID token (beyond iss, aud, iat, exp, nonce). */
  let next: Record<string, unknown>;

  const db = () => t.app.get(DataSource);
  const configure = (overrides: Record<string, unknown> = {}) =>
    putSettings(t, admin, {
      method: 'oidc',
      oidc: idp.settings({
        groupClaim: 'groups',
        syncTeams: true,
        sync: true,
        teamMapping: [
          { teamId: eng.id, group: 'engineering' },
          { teamId: ops.id, group: 'operations' },
          { teamId: always.id, group: '' },
        ],
        allowedGroups: [],
        allowedEmailDomains: [],
        adminGroups: [],
        adminRoleSource: 'manual',
        allowAdminUser: false,
        linkExistingUsers: 'userName',
        ...overrides,
      }),
    });

  /** Signs in with `claims`; answers the error code (null on success) and the session token. */
  const signIn = async (claims: Record<string, unknown>) => {
    next = claims;
    const { callback, sessionToken } = await oidcSignIn(
      new BrowserSession(),
      t.baseUrl,
      { userName: 'x', password: 'x' },
      { accept: 'application/json' },
    );
    if (sessionToken) return { error: null, token: sessionToken };
    const body = JSON.parse(callback.body) as { error: string; message: string };
    return { error: body.error, message: body.message, token: undefined };
  };
  const teamsOf = async (userName: string) =>
    (
      await db().query<{ name: string }[]>(
        `SELECT t.name FROM auth_team_membership m JOIN auth_team t ON t.id = m.team_id
           JOIN auth_user u ON u.id = m.user_id WHERE u.user_name = $1 ORDER BY t.name`,
        [userName],
      )
    ).map((row) => row.name);
  const users = () =>
    db().query<Record<string, unknown>[]>(
      'SELECT id, user_name, is_admin, email_address FROM auth_user ORDER BY user_name',
    );
  const lastLog = async () =>
    (await api(t, 'get', '/api/v1/admin/auth-log', admin)).body[0] as {
      success: boolean;
      reason: string;
      userName: string | null;
    };

  beforeAll(async () => {
    t = await startTestApp();
    idp = await startCraftedIdp();
    idp.onToken = async (request, self) => ({
      access_token: 'at-1',
      token_type: 'Bearer',
      id_token: await self.signRsa(self.claims(request, next)),
    });
    admin = await loginAsAdmin(t);
    eng = await createTeam(t, admin, 'Engineering');
    ops = await createTeam(t, admin, 'Operations');
    always = await createTeam(t, admin, 'Always');
    manual = await createTeam(t, admin, 'Manual');
  });

  beforeEach(async () => {
    await configure();
  });

  afterAll(async () => {
    await idp?.stop();
    await t?.close();
  });

  it('a new user gets the always-assigned teams even when the group claim is missing', async () => {
    expect((await signIn({ sub: 'sub-new', preferred_username: 'newcomer' })).error).toBeNull();
    expect(await teamsOf('newcomer')).toEqual(['Always']);
    expect(t.logs.text()).toContain('groups_missing');
  });

  it('a group claim of the wrong type or an overage marker leaves memberships as they are', async () => {
    const claims = { sub: 'sub-gina', preferred_username: 'gina' };
    expect((await signIn({ ...claims, groups: ['engineering'] })).error).toBeNull();
    const gina = (await users()).find((row) => row.user_name === 'gina')!;
    await api(t, 'patch', `/api/v1/admin/users/${String(gina.id)}`, admin)
      .send({ teamIds: [eng.id, always.id, manual.id] })
      .expect(200);
    expect(await teamsOf('gina')).toEqual(['Always', 'Engineering', 'Manual']);

    const cases: [Record<string, unknown>, string][] = [
      [{ groups: { engineering: true } }, 'groups_invalid'],
      [{ groups: 42 }, 'groups_invalid'],
      [{ _claim_names: { groups: 'src1' }, _claim_sources: { src1: {} } }, 'groups_overage'],
      [{ hasgroups: true }, 'groups_overage'],
    ];
    for (const [extra, code] of cases) {
      const result = await signIn({ ...claims, ...extra });
      expect(result.error, JSON.stringify(extra)).toBeNull();
      expect(await teamsOf('gina'), JSON.stringify(extra)).toEqual([
        'Always',
        'Engineering',
        'Manual',
      ]);
      // Shown in the auth log: a success whose reason is the warning code.
      expect(await lastLog()).toMatchObject({ success: true, reason: code, userName: 'gina' });
      expect(t.logs.text()).toContain(`Sign-in of "gina": ${code}:`);
    }

    // `[]` is an answer: no groups, so the OIDC-added mapped team goes; manual and always stay.
    expect((await signIn({ ...claims, groups: [] })).error).toBeNull();
    expect(await teamsOf('gina')).toEqual(['Always', 'Manual']);
    expect(await lastLog()).toMatchObject({ success: true, reason: 'ok' });
  });

  it('refuses a user outside allowedGroups before creating anything', async () => {
    await configure({ allowedGroups: ['staff'] });
    const before = await users();
    for (const groups of [['engineering'], [], { staff: true }, undefined]) {
      const result = await signIn({ sub: 'sub-out', preferred_username: 'outsider', groups });
      expect(result.error, JSON.stringify(groups)).toBe('group_not_allowed');
      expect(await lastLog()).toMatchObject({ success: false, reason: 'group_not_allowed' });
    }
    const overage = await signIn({
      sub: 'sub-out',
      preferred_username: 'outsider',
      hasgroups: true,
    });
    expect(overage.error).toBe('group_not_allowed');
    expect(overage.message).toContain('overage');
    expect(await users()).toEqual(before);
    expect(await db().query(`SELECT 1 FROM auth_identity WHERE subject = 'sub-out'`)).toHaveLength(
      0,
    );

    const inside = await signIn({
      sub: 'sub-in',
      preferred_username: 'insider',
      groups: ['engineering', 'staff'],
    });
    expect(inside.error).toBeNull();
    expect(await teamsOf('insider')).toEqual(['Always', 'Engineering']);
  });

  it('refuses an existing user outside allowedGroups without syncing their profile', async () => {
    expect(
      (
        await signIn({
          sub: 'sub-hal',
          preferred_username: 'hal',
          email: 'hal@a.test',
          groups: ['staff'],
        })
      ).error,
    ).toBeNull();
    await configure({ allowedGroups: ['staff'] });
    const refused = await signIn({
      sub: 'sub-hal',
      preferred_username: 'hal',
      email: 'changed@a.test',
      groups: ['engineering'],
    });
    expect(refused.error).toBe('group_not_allowed');
    const [hal] = await db().query<{ email_address: string }[]>(
      `SELECT email_address FROM auth_user WHERE user_name = 'hal'`,
    );
    expect(hal.email_address).toBe('hal@a.test');
  });

  it('allows only a verified email of allowedEmailDomains', async () => {
    await configure({ allowedEmailDomains: ['corp.test'] });
    const before = await users();
    const base = { sub: 'sub-ivy', preferred_username: 'ivy' };
    expect((await signIn({ ...base, email: 'ivy@corp.test' })).error).toBe(
      'email_domain_not_allowed',
    );
    expect((await signIn({ ...base, email: 'ivy@corp.test', email_verified: false })).error).toBe(
      'email_domain_not_allowed',
    );
    expect((await signIn({ ...base, email: 'ivy@evil.test', email_verified: true })).error).toBe(
      'email_domain_not_allowed',
    );
    // A look-alike subdomain is another domain.
    expect(
      (await signIn({ ...base, email: 'ivy@corp.test.evil.test', email_verified: true })).error,
    ).toBe('email_domain_not_allowed');
    expect(await users()).toEqual(before);
    expect(await lastLog()).toMatchObject({ success: false, reason: 'email_domain_not_allowed' });
    expect(
      (await signIn({ ...base, email: 'Ivy@CORP.test', email_verified: true })).error,
    ).toBeNull();
  });

  it('grants and removes the admin role by group; a hand-made admin is kept in manual mode', async () => {
    await configure({ allowAdminUser: true, adminGroups: ['it-admins'] });
    const claims = { sub: 'sub-jo', preferred_username: 'jo' };
    const granted = await signIn({ ...claims, groups: ['it-admins'] });
    expect(granted.error).toBeNull();
    const me = await api(t, 'get', '/api/v1/auth/me', granted.token);
    expect(me.body).toMatchObject({ userName: 'jo', isAdmin: true });
    expect((await api(t, 'get', '/api/v1/admin/users', granted.token)).status).toBe(200);

    // Granted by the IdP, so the IdP takes it away (there is another active admin).
    const removed = await signIn({ ...claims, groups: ['engineering'] });
    expect((await api(t, 'get', '/api/v1/auth/me', removed.token)).body.isAdmin).toBe(false);
    expect((await api(t, 'get', '/api/v1/admin/users', removed.token)).status).toBe(403);

    // Made admin by hand: `manual` keeps it, `idp` removes it.
    const jo = (await users()).find((row) => row.user_name === 'jo')!;
    await api(t, 'patch', `/api/v1/admin/users/${String(jo.id)}`, admin)
      .send({ isAdmin: true })
      .expect(200);
    const kept = await signIn({ ...claims, groups: ['engineering'] });
    expect((await api(t, 'get', '/api/v1/auth/me', kept.token)).body.isAdmin).toBe(true);
    await configure({ allowAdminUser: true, adminGroups: ['it-admins'], adminRoleSource: 'idp' });
    const demoted = await signIn({ ...claims, groups: ['engineering'] });
    expect((await api(t, 'get', '/api/v1/auth/me', demoted.token)).body.isAdmin).toBe(false);

    // A group claim that says nothing leaves the role as it is.
    await signIn({ ...claims, groups: ['it-admins'] });
    const unsure = await signIn({ ...claims, hasgroups: true });
    expect((await api(t, 'get', '/api/v1/auth/me', unsure.token)).body.isAdmin).toBe(true);
  });

  it('plan() previews exactly what provision() then does, and changes nothing itself', async () => {
    await configure({ allowAdminUser: true, adminGroups: ['it-admins'] });
    const provisioning = t.app.get(OidcProvisioningService);
    const settings = await t.app.get(AuthSettingsService).get();
    const claims = {
      iss: idp.issuer,
      sub: 'sub-kim',
      preferred_username: 'Kim',
      email: 'kim@a.test',
      groups: ['operations', 'it-admins'],
    };
    const snapshot = () =>
      Promise.all(
        ['auth_user', 'auth_identity', 'auth_team_membership'].map((table) =>
          db().query(`SELECT * FROM ${table} ORDER BY 1, 2`),
        ),
      );
    const before = await snapshot();
    const plan = await provisioning.plan(claims, settings);
    expect(await snapshot()).toEqual(before);
    expect(plan).toEqual({
      userName: 'kim',
      action: 'create',
      userId: null,
      linkedBy: null,
      profileChanges: { emailAddress: { from: null, to: 'kim@a.test' } },
      teamsAdded: expect.arrayContaining([ops.id, always.id]),
      teamsRemoved: [],
      isAdmin: true,
      adminChange: 'granted',
      warnings: [],
    });
    const { user, created, plan: applied } = await provisioning.provision(claims, settings);
    expect(created).toBe(true);
    expect(applied).toEqual({ ...plan, userId: user.id });
    expect(await teamsOf('kim')).toEqual(['Always', 'Operations']);
    expect(user).toMatchObject({ userName: 'kim', isAdmin: true, emailAddress: 'kim@a.test' });

    const again = await provisioning.plan({ ...claims, groups: ['engineering'] }, settings);
    expect(again).toMatchObject({
      action: 'existing',
      userId: user.id,
      linkedBy: 'identity',
      teamsAdded: [eng.id],
      teamsRemoved: [ops.id],
      isAdmin: false,
      adminChange: 'removed',
    });
  });

  it('never removes the last active admin: the sign-in goes on with the old role, logged', async () => {
    await configure({ allowAdminUser: true, adminGroups: ['it-admins'], adminRoleSource: 'idp' });
    const claims = { sub: 'sub-lee', preferred_username: 'lee' };
    const first = await signIn({ ...claims, groups: ['it-admins'] });
    expect((await api(t, 'get', '/api/v1/auth/me', first.token)).body.isAdmin).toBe(true);
    // Every other admin is deactivated or demoted: lee is the last active admin.
    await db().query(`UPDATE auth_user SET is_admin = false WHERE user_name NOT IN ('lee', $1)`, [
      t.adminUserName,
    ]);
    await db().query(`UPDATE auth_user SET is_active = false WHERE user_name = $1`, [
      t.adminUserName,
    ]);
    const last = await signIn({ ...claims, groups: ['engineering'] });
    expect(last.error).toBeNull();
    const me = await api(t, 'get', '/api/v1/auth/me', last.token);
    expect(me.body).toMatchObject({ userName: 'lee', isAdmin: true });
    expect(t.logs.text()).toContain('Sign-in of "lee": last_admin_kept:');
    const log = await api(t, 'get', '/api/v1/admin/auth-log', last.token);
    expect(log.body[0]).toMatchObject({ success: true, reason: 'last_admin_kept' });
  });
});
