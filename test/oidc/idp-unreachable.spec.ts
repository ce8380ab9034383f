import { createServer, type Server } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('an unreachable or silent IdP', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;
  let silent: Server;
  let silentPort: number;

  const signInJson = async () => {
    const { callback, sessionToken } = await oidcSignIn(
      new BrowserSession(),
      t.baseUrl,
      { userName: 'x', password: 'x' },
      { accept: 'application/json' },
    );
    return { status: callback.status, body: JSON.parse(callback.body), sessionToken };
  };

  beforeAll(async () => {
    t = await startTestApp({ auth: { idpTimeoutMs: 500 } });
    idp = await startCraftedIdp();
    admin = await loginAsAdmin(t);
    // Accepts connections and never answers a byte.
    silent = createServer(() => undefined);
    silentPort = await freePort();
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    silent?.close();
    await idp?.stop();
    await t?.close();
  });

  it('fails with idp_unreachable when nothing listens at the token endpoint', async () => {
    const closedPort = await freePort();
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: idp.settings({ tokenEndpoint: `http://127.0.0.1:${closedPort}/token` }),
    });
    const result = await signInJson();
    expect(result.status).toBe(502);
    expect(result.body.error).toBe('idp_unreachable');
    expect(result.sessionToken).toBeUndefined();
  });

  it('fails with idp_unreachable when the token endpoint never answers, and keeps serving', async () => {
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: idp.settings({ tokenEndpoint: `http://127.0.0.1:${silentPort}/token` }),
    });
    const result = await signInJson();
    expect(result.body.error).toBe('idp_unreachable');
    expect(result.body.message).toContain('500 ms');
    const hello = await request(t.app.getHttpServer()).get('/api/v1/hello');
    expect(hello.status).toBe(200);
  });

  it('fails with idp_unreachable when the JWKS endpoint hangs', async () => {
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: idp.settings({ jwksEndpoint: `http://127.0.0.1:${silentPort}/jwks` }),
    });
    const result = await signInJson();
    expect(result.body.error).toBe('idp_unreachable');
  });
});
