import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createUser, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const DEVICE_COOKIE = 'auth_device';

describe('password throttling that slows guessing but locks nobody out', () => {
  let t: TestApp;
  let admin: string;
  let net = 0;
  /** A fresh client address each call (the app trusts X-Forwarded-For from loopback). */
  const freshAddress = () => `10.${Math.floor(++net / 250)}.${net % 250}.1`;

  const attempt = (username: string, password: string, from: string, cookie?: string) => {
    const call = api(t, 'post', '/api/v1/auth/login')
      .set('X-Forwarded-For', from)
      .send({ username, password });
    return cookie ? call.set('Cookie', cookie) : call;
  };

  /** Signs in once from `from` and answers the trusted-device cookie (`name=value`). */
  const knownBrowser = async (userName: string, password: string, from: string) => {
    const response = await attempt(userName, password, from).expect(200);
    const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    const device = cookies.find((cookie) => cookie.startsWith(`${DEVICE_COOKIE}=`));
    expect(device, 'a trusted-device cookie is set at a password sign-in').toBeTruthy();
    expect(device).toMatch(/HttpOnly/i);
    return device!.split(';')[0];
  };

  beforeAll(async () => {
    t = await startTestApp({
      auth: {
        throttle: {
          perUserName: 5,
          perUserNameMax: 12,
          perAddress: 20,
          callbackPerAddress: 3,
          backchannelPerAddress: 3,
          windowSeconds: 900,
        },
      },
    });
    const express = t.app.getHttpAdapter().getInstance() as {
      set(name: string, value: unknown): void;
    };
    express.set('trust proxy', 'loopback');
    admin = await loginAsAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('five failures for admin from one address do not stop the admin from another address', async () => {
    const attacker = freshAddress();
    for (let i = 0; i < 5; i++) await attempt(t.adminUserName, `wrong-${i}`, attacker).expect(401);
    // The attacker's address gets no further guess at this user name...
    const refused = await attempt(t.adminUserName, t.adminPassword, attacker).expect(429);
    expect(refused.body.error).toBe('too_many_attempts');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // ...while the real admin, from a clean address, signs in with the right password.
    await attempt(t.adminUserName, t.adminPassword, freshAddress()).expect(200);
  });

  it('past the limit an untrusted address gets one guess, then is refused for that user name', async () => {
    const user = await createUser(t, admin);
    for (let i = 0; i < 5; i++) await attempt(user.userName, `w-${i}`, freshAddress()).expect(401);
    const address = freshAddress();
    await attempt(user.userName, 'one-guess', address).expect(401);
    await attempt(user.userName, user.password, address).expect(429);
    await attempt(user.userName, 'another', address).expect(429);
  });

  it('past perUserNameMax only a known browser gets in, from any address', async () => {
    const user = await createUser(t, admin);
    const device = await knownBrowser(user.userName, user.password, freshAddress());
    // A distributed guesser: one guess per fresh address, until the hard limit.
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++)
      statuses.push((await attempt(user.userName, `g-${i}`, freshAddress())).status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(12);
    expect(statuses.slice(12)).toEqual([429, 429, 429, 429]);
    // The right password from a clean address without the cookie now waits...
    await attempt(user.userName, user.password, freshAddress()).expect(429);
    // ...but the browser that signed in before is not kept out by the others' failures.
    await attempt(user.userName, user.password, freshAddress(), device).expect(200);
  });

  it('a device cookie of another user, or a forged one, earns no trust', async () => {
    const owner = await createUser(t, admin);
    const victim = await createUser(t, admin);
    const ownersCookie = await knownBrowser(owner.userName, owner.password, freshAddress());
    for (let i = 0; i < 12; i++) await attempt(victim.userName, `g-${i}`, freshAddress());
    await attempt(victim.userName, victim.password, freshAddress(), ownersCookie).expect(429);
    const [name, value] = ownersCookie.split('=');
    const parts = value.split('.');
    parts[1] = Buffer.from(victim.userName).toString('base64url');
    await attempt(
      victim.userName,
      victim.password,
      freshAddress(),
      `${name}=${parts.join('.')}`,
    ).expect(429);
  });

  it('a device cookie with perUserName failures of its own is no longer trusted (stolen cookie)', async () => {
    const user = await createUser(t, admin);
    const device = await knownBrowser(user.userName, user.password, freshAddress());
    for (let i = 0; i < 12; i++) await attempt(user.userName, `g-${i}`, freshAddress());
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await attempt(user.userName, `s-${i}`, freshAddress(), device)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    await attempt(user.userName, user.password, freshAddress(), device).expect(429);
  });

  it('the per-address limit applies to everyone from that address, known browsers included', async () => {
    const user = await createUser(t, admin);
    const address = freshAddress();
    const device = await knownBrowser(user.userName, user.password, address);
    for (let i = 0; i < 20; i++) await attempt(`spray-${net}-${i}`, 'x', address).expect(401);
    await attempt(user.userName, user.password, address, device).expect(429);
    await attempt(user.userName, user.password, freshAddress(), device).expect(200);
  });

  it('refused OIDC callbacks and back-channel logouts are limited per address', async () => {
    const idp = await startCraftedIdp();
    try {
      await putSettings(t, admin, { method: 'oidc', oidc: idp.settings() });
      const callback = (from: string) =>
        api(t, 'get', '/api/v1/auth/oidc/callback?code=c&state=s')
          .set('Accept', 'application/json')
          .set('X-Forwarded-For', from);
      const address = freshAddress();
      for (let i = 0; i < 3; i++)
        expect((await callback(address)).body.error).toBe('state_mismatch');
      const refused = await callback(address).expect(429);
      expect(refused.body.error).toBe('too_many_attempts');
      expect((await callback(freshAddress())).body.error).toBe('state_mismatch');

      const logout = (from: string) =>
        api(t, 'post', '/api/v1/backchannelLogout')
          .type('form')
          .set('X-Forwarded-For', from)
          .send({ logout_token: 'not-a-token' });
      for (let i = 0; i < 4; i++) await logout(address).expect(400);
      const reasons = await api(
        t,
        'get',
        `/api/v1/admin/auth-log?method=backchannel&reason=too_many_attempts`,
        admin,
      ).expect(200);
      expect(reasons.body).toHaveLength(1);
      expect(reasons.body[0]).toMatchObject({ ipAddress: address, count: 1 });
    } finally {
      await putSettings(t, admin, { method: 'password' });
      await idp.stop();
    }
  });
});
