import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginAsAdmin } from '../support/auth-helpers.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { hostRoot } from './host-app.js';

describe.each(['express', 'fastify'] as const)('globalGuard: false on %s', (adapter) => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp({
      adapter,
      rootModule: hostRoot,
      auth: { globalGuard: false, isGlobal: true },
    });
    admin = await loginAsAdmin(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it("installs no global guard: the host's undecorated route is open", async () => {
    const plain = await api(t, 'get', '/api/v1/host/plain').expect(200);
    expect(plain.body).toEqual({ plain: true });
    // The host guard ran without a user: nothing of the module resolved one.
    const seen = await api(t, 'get', '/api/v1/host/seen', admin).expect(200);
    expect(seen.body.seenByHostGuard).toBeNull();
  });

  it('the exported SessionGuard guards the routes the host puts it on', async () => {
    await api(t, 'get', '/api/v1/host/explicit').expect(401);
    const signedIn = await api(t, 'get', '/api/v1/host/explicit', admin).expect(200);
    expect(signedIn.body.userName).toBe(t.adminUserName);
  });

  it("the module's own routes still check sessions and admin rights", async () => {
    await api(t, 'get', '/api/v1/auth/me').expect(401);
    expect((await api(t, 'get', '/api/v1/auth/me', admin).expect(200)).body.userName).toBe(
      t.adminUserName,
    );
    await api(t, 'get', '/api/v1/admin/users').expect(401);
    await api(t, 'get', '/api/v1/admin/users', admin).expect(200);
    await api(t, 'post', '/api/v1/auth/logout').expect(401);
  });
});
