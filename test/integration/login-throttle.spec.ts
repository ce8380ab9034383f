import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createUser, loginAs, loginAsAdmin } from '../support/auth-helpers.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const attempt = (t: TestApp, username: string, password: string) =>
  api(t, 'post', '/api/v1/auth/login').send({ username, password });

describe('login throttling per user name, shared by every instance', () => {
  let first: TestApp;
  let second: TestApp;
  let admin: string;

  beforeAll(async () => {
    const auth = { throttle: { perUserName: 3, perAddress: 1000, windowSeconds: 900 } };
    first = await startTestApp({ auth });
    second = await startTestApp({
      auth,
      databaseUrl: first.databaseUrl,
      secretKey: first.secretKey,
      adminPassword: first.adminPassword,
    });
    admin = await loginAsAdmin(first);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('failures counted on one instance lock the user name on the other, even for the right password', async () => {
    const user = await createUser(first, admin);
    await attempt(first, user.userName, 'wrong-1').expect(401);
    await attempt(second, user.userName, 'wrong-2').expect(401);
    await attempt(first, user.userName, 'wrong-3').expect(401);
    for (const t of [first, second]) {
      const response = await attempt(t, user.userName, user.password).expect(429);
      expect(response.body.error).toBe('too_many_attempts');
      const retryAfter = Number(response.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(900);
    }
    // Another user name from the same address is not affected.
    const other = await createUser(first, admin);
    await loginAs(second, other.userName, other.password);
  });

  it('unknown user names are throttled the same way (no hint that they do not exist)', async () => {
    for (let i = 0; i < 3; i += 1) await attempt(first, 'no-such-user', `wrong-${i}`).expect(401);
    const response = await attempt(first, 'no-such-user', 'whatever').expect(429);
    expect(response.body.error).toBe('too_many_attempts');
  });

  it('a burst of concurrent guesses gets at most the limit through', async () => {
    const user = await createUser(first, admin);
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        attempt(i % 2 ? first : second, user.userName, `guess-${i}`),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(3);
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
  });

  it('throttled attempts are in the auth log', async () => {
    const log = await api(first, 'get', '/api/v1/admin/auth-log', admin).expect(200);
    expect(log.body.some((entry: { reason: string }) => entry.reason === 'too_many_attempts')).toBe(
      true,
    );
  });
});

describe('login throttling per client address', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({
      auth: { throttle: { perUserName: 100, perAddress: 4, windowSeconds: 900 } },
    });
    admin = await loginAsAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('failures across many user names lock the address', async () => {
    const user = await createUser(t, admin);
    for (let i = 0; i < 4; i += 1) await attempt(t, `spray-${i}`, 'password').expect(401);
    const response = await attempt(t, user.userName, user.password).expect(429);
    expect(response.body.error).toBe('too_many_attempts');
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  });
});
