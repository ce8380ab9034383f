import { decryptSecret } from '../../src/common/crypto.js';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createTeam,
  createUser,
  type HttpMethod,
  loginAs,
  loginAsAdmin,
  oidcSettingsFor,
  putSettings,
} from '../support/auth-helpers.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SECRET = 'sup3r-s3cret-client-value-Zq9';
const ISSUER = 'http://127.0.0.1:9/realms/demo';
const ADMIN_ROUTES: [HttpMethod, string][] = [
  ['get', '/api/v1/admin/authentication'],
  ['put', '/api/v1/admin/authentication'],
  ['get', '/api/v1/admin/teams'],
  ['post', '/api/v1/admin/teams'],
  ['delete', '/api/v1/admin/teams/00000000-0000-4000-8000-000000000000'],
  ['get', '/api/v1/admin/users'],
  ['post', '/api/v1/admin/users'],
  ['patch', '/api/v1/admin/users/00000000-0000-4000-8000-000000000000'],
  ['get', '/api/v1/admin/auth-log'],
];

describe('admin API', () => {
  let t: TestApp;
  let admin: string;
  // Every response body of this file, searched for the secret at the end.
  const bodies: string[] = [];
  const track = (response: request.Response): request.Response => {
    bodies.push(response.text ?? '');
    return response;
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('access', () => {
    it.each(ADMIN_ROUTES)('%s %s answers 401 without a session', async (method, path) => {
      const response = await api(t, method, path).send({});
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('unauthenticated');
    });

    it.each(ADMIN_ROUTES)('%s %s answers 403 for a regular user', async (method, path) => {
      const user = await createUser(t, admin);
      const token = await loginAs(t, user.userName, user.password);
      const response = await api(t, method, path, token).send({});
      expect(response.status).toBe(403);
      expect(response.body.error).toBe('forbidden');
    });

    it('a cookie session with a foreign Origin is refused on a state change', async () => {
      const agent = request.agent(t.app.getHttpServer());
      await agent
        .post('/api/v1/auth/login')
        .send({ username: t.adminUserName, password: t.adminPassword })
        .expect(200);
      const response = await agent
        .post('/api/v1/admin/teams')
        .set('Origin', 'https://evil.example')
        .send({ name: 'csrf-team' })
        .expect(403);
      expect(response.body.error).toBe('csrf_rejected');
      await agent
        .post('/api/v1/admin/teams')
        .set('Origin', t.baseUrl)
        .send({ name: 'same-origin-team' })
        .expect(201);
    });
  });

  describe('settings', () => {
    afterAll(async () => {
      await putSettings(t, admin, { method: 'password' });
    });

    it('GET answers the defaults with the computed URIs and no secret', async () => {
      const response = track(
        await api(t, 'get', '/api/v1/admin/authentication', admin).expect(200),
      );
      expect(response.body).toMatchObject({
        method: 'password',
        clientSecretSet: false,
        redirectUri: `${t.baseUrl}/api/v1/auth/oidc/callback`,
        backchannelLogoutUri: `${t.baseUrl}/api/v1/backchannelLogout`,
        oidc: {
          fallback: true,
          pkce: true,
          scopes: ['profile', 'email'],
          signatureAlgorithms: ['RS256'],
        },
      });
      expect(response.body.oidc).not.toHaveProperty('clientSecret');
    });

    it('PUT stores the settings and answers the same body as GET', async () => {
      const put = track(
        await api(t, 'put', '/api/v1/admin/authentication', admin)
          .send({
            method: 'oidc',
            oidc: oidcSettingsFor(ISSUER, { clientSecret: SECRET, scopes: ['openid', 'email'] }),
          })
          .expect(200),
      );
      const get = track(await api(t, 'get', '/api/v1/admin/authentication', admin).expect(200));
      expect(put.body).toEqual(get.body);
      expect(get.body.clientSecretSet).toBe(true);
      expect(get.body.oidc.scopes).toEqual(['email']);
      expect(get.body.oidc.issuer).toBe(ISSUER);
    });

    it('PUT keeps fields left out and the stored secret when clientSecret is empty or null', async () => {
      for (const clientSecret of ['', null, undefined]) {
        const body = track(
          await api(t, 'put', '/api/v1/admin/authentication', admin)
            .send({ oidc: { clientSecret, prompt: 'login' } })
            .expect(200),
        ).body;
        expect(body.clientSecretSet).toBe(true);
        expect(body.oidc.issuer).toBe(ISSUER);
        expect(body.oidc.prompt).toBe('login');
      }
    });

    it('the secret is stored encrypted with the key', async () => {
      const client = await rawClient(t.databaseUrl);
      try {
        const { rows } = await client.query<{ client_secret_encrypted: string; oidc: unknown }>(
          'SELECT client_secret_encrypted, oidc FROM auth_settings',
        );
        expect(rows).toHaveLength(1);
        expect(rows[0].client_secret_encrypted).not.toContain(SECRET);
        expect(JSON.stringify(rows[0].oidc)).not.toContain(SECRET);
        expect(
          decryptSecret(rows[0].client_secret_encrypted, Buffer.from(t.secretKey, 'hex')),
        ).toBe(SECRET);
      } finally {
        await client.end();
      }
    });

    it('PUT refuses invalid values with validation_failed and per-field messages', async () => {
      const response = track(
        await api(t, 'put', '/api/v1/admin/authentication', admin)
          .send({
            method: 'ldap',
            oidc: {
              issuer: 'http://idp.example.com',
              scopes: 'email',
              maxAge: -1,
              unknownThing: 1,
              pkce: 'yes',
            },
          })
          .expect(400),
      );
      expect(response.body.error).toBe('validation_failed');
      expect(Object.keys(response.body.fields).sort()).toEqual(
        [
          'method',
          'oidc.issuer',
          'oidc.maxAge',
          'oidc.pkce',
          'oidc.scopes',
          'oidc.unknownThing',
        ].sort(),
      );
      const unchanged = await api(t, 'get', '/api/v1/admin/authentication', admin).expect(200);
      expect(unchanged.body.method).toBe('oidc');
    });

    it('PUT refuses the lock-out (fallback off and admins not allowed to use OIDC)', async () => {
      const response = track(
        await api(t, 'put', '/api/v1/admin/authentication', admin)
          .send({ oidc: { fallback: false, allowAdminUser: false } })
          .expect(400),
      );
      expect(response.body.error).toBe('validation_failed');
      expect(response.body.fields).toHaveProperty(['oidc.fallback']);
      track(
        await api(t, 'put', '/api/v1/admin/authentication', admin)
          .send({ oidc: { fallback: false, allowAdminUser: true } })
          .expect(200),
      );
      track(
        await api(t, 'put', '/api/v1/admin/authentication', admin)
          .send({ oidc: { fallback: true } })
          .expect(200),
      );
    });

    it('PUT refuses prototype keys without a 500', async () => {
      const response = await api(t, 'put', '/api/v1/admin/authentication', admin)
        .set('Content-Type', 'application/json')
        .send('{"oidc":{"__proto__":{"x":1},"constructor":"y","toString":1}}')
        .expect(400);
      expect(response.body.error).toBe('validation_failed');
    });

    it('a non-object body answers 400', async () => {
      const response = await api(t, 'put', '/api/v1/admin/authentication', admin)
        .set('Content-Type', 'application/json')
        .send('[1]')
        .expect(400);
      expect(response.body.error).toBe('validation_failed');
    });
  });

  describe('teams', () => {
    it('create, list, refuse a duplicate, delete', async () => {
      const team = track(
        await api(t, 'post', '/api/v1/admin/teams', admin).send({ name: 'Sales' }).expect(201),
      ).body;
      expect(team).toEqual({ id: expect.any(String), name: 'Sales' });
      const list = await api(t, 'get', '/api/v1/admin/teams', admin).expect(200);
      expect(list.body).toContainEqual(team);
      const duplicate = await api(t, 'post', '/api/v1/admin/teams', admin)
        .send({ name: 'Sales' })
        .expect(409);
      expect(duplicate.body.error).toBe('conflict');
      await api(t, 'delete', `/api/v1/admin/teams/${team.id}`, admin).expect(204);
      const after = await api(t, 'get', '/api/v1/admin/teams', admin).expect(200);
      expect(after.body).not.toContainEqual(team);
      const again = await api(t, 'delete', `/api/v1/admin/teams/${team.id}`, admin).expect(404);
      expect(again.body.error).toBe('not_found');
    });

    it('refuses a blank or non-string name', async () => {
      for (const name of ['   ', 5, null, 'x'.repeat(256)]) {
        const response = await api(t, 'post', '/api/v1/admin/teams', admin).send({ name });
        expect(response.status, JSON.stringify(name)).toBe(400);
        expect(response.body.fields).toHaveProperty('name');
      }
    });

    it('deleting a team removes it from the team mapping and from members', async () => {
      const kept = await createTeam(t, admin);
      const gone = await createTeam(t, admin);
      const user = await createUser(t, admin, { teamIds: [kept.id, gone.id] });
      await putSettings(t, admin, {
        oidc: {
          teamMapping: [
            { teamId: kept.id, group: 'a' },
            { teamId: gone.id, group: 'b' },
          ],
        },
      });
      await api(t, 'delete', `/api/v1/admin/teams/${gone.id}`, admin).expect(204);
      const settings = await api(t, 'get', '/api/v1/admin/authentication', admin).expect(200);
      expect(settings.body.oidc.teamMapping).toEqual([{ teamId: kept.id, group: 'a' }]);
      const users = await api(t, 'get', '/api/v1/admin/users', admin).expect(200);
      const row = (users.body as { id: string; teams: unknown[] }[]).find((u) => u.id === user.id);
      expect(row?.teams).toEqual([kept]);
      await putSettings(t, admin, { oidc: { teamMapping: [] } });
    });

    it('a bad id in the path answers 404, never 500', async () => {
      for (const id of ['not-a-uuid', '123', "1' OR 1=1"]) {
        const response = await api(
          t,
          'delete',
          `/api/v1/admin/teams/${encodeURIComponent(id)}`,
          admin,
        );
        expect(response.status).toBe(404);
      }
    });
  });

  describe('users', () => {
    it('an admin creates a user who signs in and gets 403 on admin routes', async () => {
      const team = await createTeam(t, admin, 'Support');
      const created = track(
        await api(t, 'post', '/api/v1/admin/users', admin)
          .send({
            userName: 'Jane Doe',
            password: 'jane-password-1',
            emailAddress: 'jane@example.com',
            firstName: 'Jane',
            lastName: 'Doe',
            teamIds: [team.id],
          })
          .expect(201),
      ).body;
      expect(created).toEqual({
        id: expect.any(String),
        userName: 'jane_doe',
        isAdmin: false,
        isActive: true,
        emailAddress: 'jane@example.com',
        phoneNumber: null,
        firstName: 'Jane',
        middleName: null,
        lastName: 'Doe',
        teams: [team],
      });
      const token = await loginAs(t, 'jane_doe', 'jane-password-1');
      const me = await api(t, 'get', '/api/v1/auth/me', token).expect(200);
      expect(me.body).toEqual(created);
      await api(t, 'get', '/api/v1/admin/users', token).expect(403);
      const list = await api(t, 'get', '/api/v1/admin/users', admin).expect(200);
      expect(list.body).toContainEqual(created);
      expect(JSON.stringify(list.body)).not.toMatch(/password/i);
    });

    it('refuses a taken name with 409 and bad fields with validation_failed', async () => {
      const taken = await api(t, 'post', '/api/v1/admin/users', admin)
        .send({ userName: 'JANE_DOE', password: 'another-password' })
        .expect(409);
      expect(taken.body.error).toBe('conflict');
      const bad = await api(t, 'post', '/api/v1/admin/users', admin)
        .send({ userName: 'x'.repeat(256), isAdmin: 'yes', teamIds: ['nope'], phoneNumber: 5 })
        .expect(400);
      expect(Object.keys(bad.body.fields).sort()).toEqual(
        ['isAdmin', 'password', 'phoneNumber', 'teamIds', 'userName'].sort(),
      );
      const unknownTeam = await api(t, 'post', '/api/v1/admin/users', admin)
        .send({
          userName: 'ghost-team',
          password: 'ghost-password',
          teamIds: ['00000000-0000-4000-8000-000000000000'],
        })
        .expect(400);
      expect(unknownTeam.body.fields).toHaveProperty(['teamIds[0]']);
      const nulls = await api(t, 'post', '/api/v1/admin/users', admin)
        .send({ userName: 'nulls', password: 'nulls-password', isActive: null })
        .expect(400);
      expect(nulls.body.fields).toHaveProperty('isActive');
    });

    it('PATCH changes flags and profile; teamIds replaces memberships keeping their source', async () => {
      const a = await createTeam(t, admin);
      const b = await createTeam(t, admin);
      const c = await createTeam(t, admin);
      const user = await createUser(t, admin, { teamIds: [a.id, b.id] });
      const client = await rawClient(t.databaseUrl);
      try {
        await client.query(
          `UPDATE auth_team_membership SET source = 'oidc' WHERE user_id = $1 AND team_id = $2`,
          [user.id, b.id],
        );
        const patched = track(
          await api(t, 'patch', `/api/v1/admin/users/${user.id}`, admin)
            .send({ teamIds: [b.id, c.id], firstName: '  Max ', lastName: '', isAdmin: true })
            .expect(200),
        ).body;
        expect(patched).toMatchObject({
          id: user.id,
          firstName: 'Max',
          lastName: null,
          isAdmin: true,
        });
        expect(patched.teams.map((team: { id: string }) => team.id).sort()).toEqual(
          [b.id, c.id].sort(),
        );
        const { rows } = await client.query<{ team_id: string; source: string }>(
          'SELECT team_id, source FROM auth_team_membership WHERE user_id = $1',
          [user.id],
        );
        const sources = Object.fromEntries(rows.map((row) => [row.team_id, row.source]));
        expect(sources).toEqual({ [b.id]: 'oidc', [c.id]: 'manual' });
      } finally {
        await client.end();
      }
    });

    it('PATCH of an unknown or malformed id answers 404', async () => {
      await api(t, 'patch', '/api/v1/admin/users/00000000-0000-4000-8000-000000000000', admin)
        .send({ firstName: 'x' })
        .expect(404);
      await api(t, 'patch', '/api/v1/admin/users/not-a-uuid', admin)
        .send({ firstName: 'x' })
        .expect(404);
    });

    it('deactivating a user ends their sessions', async () => {
      const user = await createUser(t, admin);
      const token = await loginAs(t, user.userName, user.password);
      await api(t, 'get', '/api/v1/auth/me', token).expect(200);
      await api(t, 'patch', `/api/v1/admin/users/${user.id}`, admin)
        .send({ isActive: false })
        .expect(200);
      await api(t, 'get', '/api/v1/auth/me', token).expect(401);
      await api(t, 'patch', `/api/v1/admin/users/${user.id}`, admin)
        .send({ isActive: true })
        .expect(200);
      await api(t, 'get', '/api/v1/auth/me', token).expect(401);
    });

    it('a new password ends the sessions; the new password works, the old one not', async () => {
      const user = await createUser(t, admin);
      const token = await loginAs(t, user.userName, user.password);
      await api(t, 'patch', `/api/v1/admin/users/${user.id}`, admin)
        .send({ password: 'brand-new-password' })
        .expect(200);
      const revoked = await api(t, 'get', '/api/v1/auth/me', token).expect(401);
      expect(revoked.body.error).toMatch(/session_revoked|unauthenticated/);
      await loginAs(t, user.userName, 'brand-new-password');
      await api(t, 'post', '/api/v1/auth/login')
        .send({ username: user.userName, password: user.password })
        .expect(401);
    });

    it('a profile change keeps the sessions', async () => {
      const user = await createUser(t, admin);
      const token = await loginAs(t, user.userName, user.password);
      await api(t, 'patch', `/api/v1/admin/users/${user.id}`, admin)
        .send({ firstName: 'Kept' })
        .expect(200);
      const me = await api(t, 'get', '/api/v1/auth/me', token).expect(200);
      expect(me.body.firstName).toBe('Kept');
    });

    it('the last active admin can be neither demoted nor deactivated', async () => {
      const users = await api(t, 'get', '/api/v1/admin/users', admin).expect(200);
      const self = (users.body as { id: string; userName: string }[]).find(
        (u) => u.userName === t.adminUserName,
      )!;
      // Other admins created above would let it pass: demote them first.
      for (const other of users.body as { id: string; isAdmin: boolean; userName: string }[]) {
        if (other.isAdmin && other.id !== self.id)
          await api(t, 'patch', `/api/v1/admin/users/${other.id}`, admin)
            .send({ isAdmin: false })
            .expect(200);
      }
      for (const change of [{ isAdmin: false }, { isActive: false }]) {
        const response = await api(t, 'patch', `/api/v1/admin/users/${self.id}`, admin)
          .send(change)
          .expect(409);
        expect(response.body.error).toBe('conflict');
      }
      await api(t, 'get', '/api/v1/auth/me', admin).expect(200);
    });
  });

  it('the client secret appears in no response body and no log line', () => {
    expect(bodies.length).toBeGreaterThan(10);
    for (const body of bodies) expect(body).not.toContain(SECRET);
    expect(t.logs.text()).not.toContain(SECRET);
    expect(t.logs.text()).not.toContain(t.adminPassword);
  });
});
