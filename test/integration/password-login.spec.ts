import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createUser,
  expectRefusedWithin,
  loginAs,
  loginAsAdmin,
  putSettings,
} from '../support/auth-helpers.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ISSUER = 'http://127.0.0.1:9/idp';
const oidcMode = (overrides: Record<string, unknown>) => ({
  method: 'oidc',
  oidc: {
    clientId: 'client',
    issuer: ISSUER,
    authorizationEndpoint: `${ISSUER}/auth`,
    tokenEndpoint: `${ISSUER}/token`,
    jwksEndpoint: `${ISSUER}/jwks`,
    ...overrides,
  },
});

describe('password login', () => {
  let t: TestApp;
  let admin: string;
  let regular: { userName: string; password: string; id: string };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t);
    regular = await createUser(t, admin, { userName: 'Regular.User', firstName: 'Reg' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('login succeeds for the bootstrap admin with token, user and an HttpOnly cookie', async () => {
    const response = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: t.adminUserName, password: t.adminPassword })
      .expect(200);
    expect(typeof response.body.token).toBe('string');
    expect(response.body.token.length).toBeGreaterThanOrEqual(43);
    expect(response.body.user).toMatchObject({
      userName: 'admin',
      isAdmin: true,
      isActive: true,
      teams: [],
    });
    expect(response.body.user.passwordHash).toBeUndefined();
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toContain(`auth_session=${response.body.token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it('login normalises the user name (case) like user creation does', async () => {
    expect(regular.userName).toBe('regular.user');
    await loginAs(t, 'REGULAR.User', regular.password);
  });

  it('the session cookie authenticates /auth/me', async () => {
    const agent = request.agent(t.app.getHttpServer());
    await agent
      .post('/api/v1/auth/login')
      .send({ username: regular.userName, password: regular.password })
      .expect(200);
    const me = await agent.get('/api/v1/auth/me').expect(200);
    expect(me.body).toEqual({
      id: regular.id,
      userName: 'regular.user',
      isAdmin: false,
      isActive: true,
      emailAddress: null,
      phoneNumber: null,
      firstName: 'Reg',
      middleName: null,
      lastName: null,
      teams: [],
    });
  });

  it('login fails with invalid_credentials for a wrong password and an unknown user alike', async () => {
    const wrong = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: regular.userName, password: 'not-the-password' })
      .expect(401);
    const unknown = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: 'nobody-here', password: 'not-the-password' })
      .expect(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error).toBe('invalid_credentials');
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('login fails with validation_failed for wrong types and too long values', async () => {
    const types = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: 5, password: ['x'] })
      .expect(400);
    expect(types.body.error).toBe('validation_failed');
    expect(Object.keys(types.body.fields).sort()).toEqual(['password', 'username']);
    const long = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: 'a'.repeat(256), password: 'x'.repeat(1025) })
      .expect(400);
    expect(Object.keys(long.body.fields).sort()).toEqual(['password', 'username']);
    const extra = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: 'a', password: 'b', admin: true })
      .expect(400);
    expect(extra.body.fields).toHaveProperty('admin');
    const missing = await api(t, 'post', '/api/v1/auth/login').send({}).expect(400);
    expect(missing.body.error).toBe('validation_failed');
  });

  it('every attempt is in the auth log with a reason code, newest first', async () => {
    const response = await api(t, 'get', '/api/v1/admin/auth-log', admin).expect(200);
    const entries = response.body as {
      userName: string;
      reason: string;
      success: boolean;
      method: string;
      ipAddress: string;
      createdAt: string;
    }[];
    expect(entries.find((e) => e.userName === 'nobody-here')).toMatchObject({
      method: 'password',
      success: false,
      reason: 'invalid_credentials',
    });
    expect(entries.find((e) => e.userName === 'regular.user' && e.success)).toMatchObject({
      reason: 'ok',
    });
    expect(entries[0].ipAddress).toMatch(/127\.0\.0\.1/);
    const times = entries.map((e) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('methods answers password with fallback in password mode', async () => {
    const response = await api(t, 'get', '/api/v1/auth/methods').expect(200);
    expect(response.body).toMatchObject({ method: 'password', fallback: true });
  });

  describe('in oidc mode', () => {
    afterAll(async () => {
      await putSettings(t, admin, {
        method: 'password',
        oidc: { fallback: true, allowRegularUserFallback: false },
      });
    });

    it('with fallback on: admins sign in, regular users get method_not_allowed', async () => {
      await putSettings(t, admin, oidcMode({ fallback: true, allowRegularUserFallback: false }));
      expect((await api(t, 'get', '/api/v1/auth/methods').expect(200)).body).toMatchObject({
        method: 'oidc',
        fallback: true,
      });
      await loginAs(t, t.adminUserName, t.adminPassword);
      const refused = await api(t, 'post', '/api/v1/auth/login')
        .send({ username: regular.userName, password: regular.password })
        .expect(403);
      expect(refused.body.error).toBe('method_not_allowed');
    });

    it('with allowRegularUserFallback: regular users sign in too', async () => {
      await putSettings(t, admin, oidcMode({ fallback: true, allowRegularUserFallback: true }));
      await loginAs(t, regular.userName, regular.password);
      await loginAs(t, t.adminUserName, t.adminPassword);
    });

    it('with fallback off: nobody signs in with a password, admins included', async () => {
      await putSettings(
        t,
        admin,
        oidcMode({ fallback: false, allowAdminUser: true, allowRegularUserFallback: false }),
      );
      expect((await api(t, 'get', '/api/v1/auth/methods').expect(200)).body).toMatchObject({
        method: 'oidc',
        fallback: false,
      });
      for (const [userName, password] of [
        [t.adminUserName, t.adminPassword],
        [regular.userName, regular.password],
      ]) {
        const response = await api(t, 'post', '/api/v1/auth/login')
          .send({ username: userName, password })
          .expect(403);
        expect(response.body.error).toBe('method_not_allowed');
      }
      // The admin's existing session still works to switch fallback back on.
      await putSettings(t, admin, { oidc: { fallback: true } });
    });

    it('a wrong password answers invalid_credentials, not method_not_allowed (no admin leak)', async () => {
      await putSettings(t, admin, oidcMode({ fallback: true, allowRegularUserFallback: false }));
      const response = await api(t, 'post', '/api/v1/auth/login')
        .send({ username: regular.userName, password: 'wrong-password' })
        .expect(401);
      expect(response.body.error).toBe('invalid_credentials');
    });
  });

  it('an inactive user is refused with user_inactive only with the right password', async () => {
    const user = await createUser(t, admin, { isActive: false });
    const right = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: user.userName, password: user.password })
      .expect(403);
    expect(right.body.error).toBe('user_inactive');
    const wrong = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: user.userName, password: 'wrong-password' })
      .expect(401);
    expect(wrong.body.error).toBe('invalid_credentials');
  });

  it('an expired session answers 401', async () => {
    const token = await loginAs(t, regular.userName, regular.password);
    await api(t, 'get', '/api/v1/auth/me', token).expect(200);
    const client = await rawClient(t.databaseUrl);
    try {
      await client.query(
        `UPDATE auth_session SET expires_at = now() - interval '1 minute' WHERE user_id = $1`,
        [regular.id],
      );
    } finally {
      await client.end();
    }
    expect(await expectRefusedWithin(t, token)).toMatch(/session_expired|unauthenticated/);
  });

  it('a revoked session answers 401', async () => {
    const token = await loginAs(t, regular.userName, regular.password);
    await api(t, 'get', '/api/v1/auth/me', token).expect(200);
    const client = await rawClient(t.databaseUrl);
    try {
      await client.query(`UPDATE auth_session SET revoked_at = now() WHERE user_id = $1`, [
        regular.id,
      ]);
    } finally {
      await client.end();
    }
    expect(await expectRefusedWithin(t, token)).toMatch(/session_revoked|unauthenticated/);
  });

  it('no password or session token ever reaches a log line', async () => {
    const token = await loginAs(t, regular.userName, regular.password);
    const logs = t.logs.text();
    expect(logs).not.toContain(regular.password);
    expect(logs).not.toContain(t.adminPassword);
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(admin);
  });

  it('/auth/me answers 401 without a session', async () => {
    const response = await api(t, 'get', '/api/v1/auth/me').expect(401);
    expect(response.body.error).toBe('unauthenticated');
  });
});
