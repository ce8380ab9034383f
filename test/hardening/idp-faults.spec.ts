// IdP faults: unreachable, silent, slow, huge or malformed answers at every endpoint the app
// calls. Each must end in a coded refusal within the timeout and leave no socket open.
import { generateKeyPairSync } from 'node:crypto';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { api, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type Fault, type FaultServer, startFaultServer } from './support/fault-server.js';
import { call } from './support/http.js';
import { signIn } from './support/oidc-flow.js';

const TIMEOUT_MS = 500;
/** Far above the timeout (one IdP call per login step), far below a hang. */
const BOUND_MS = 4_000;

type Endpoint = 'token' | 'jwks' | 'userinfo' | 'discovery';

const validN = (
  generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as JWK
).n;

const faults: [string, Fault | 'closed-port'][] = [
  ['nothing listens', 'closed-port'],
  ['accepts and never answers', { kind: 'hang' }],
  ['answers after 3x the timeout', { kind: 'slow', delayMs: 3 * TIMEOUT_MS, body: {} }],
  ['resets the connection', { kind: 'reset' }],
  ['streams 3 MiB without a length', { kind: 'huge', bytes: 3 * 1024 * 1024 }],
  ['declares 100 MB', { kind: 'huge-declared', bytes: 100 * 1024 * 1024 }],
  ['answers non-JSON', { kind: 'text', body: '<html>oops{' }],
  ['answers a JSON array', { kind: 'json', body: [1, 2, 3] }],
  ['answers 500 with HTML', { kind: 'text', status: 500, body: '<h1>down</h1>' }],
  ['redirects elsewhere', { kind: 'redirect', location: 'http://127.0.0.1:1/' }],
];

/** Codes a correct module may answer, per endpoint (DESIGN 2.10, 3). */
const allowed: Record<Endpoint, string[]> = {
  token: ['idp_unreachable', 'token_request_failed', 'id_token_missing'],
  jwks: ['idp_unreachable'],
  userinfo: ['idp_unreachable', 'userinfo_failed'],
  discovery: ['discovery_failed'],
};

describe('IdP faults', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let fault: FaultServer;
  let admin: string;
  const seen: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ auth: { idpTimeoutMs: TIMEOUT_MS } });
    idp = await startCraftedIdp();
    fault = await startFaultServer();
    admin = await loginAsAdmin(t);
  });

  afterAll(async () => {
    console.log(`[hardening] IdP faults seen:\n  ${seen.join('\n  ')}`);
    await fault?.close();
    await idp?.stop();
    await t?.close();
  });

  /** Points one endpoint at the fault (a unique path per case: no cached JWKS interferes). */
  const configure = async (endpoint: Endpoint, target: string) => {
    const overrides: Record<string, unknown> = { fallback: true };
    if (endpoint === 'token') overrides.tokenEndpoint = target;
    if (endpoint === 'jwks') overrides.jwksEndpoint = target;
    if (endpoint === 'userinfo') overrides.userInfoEndpoint = target;
    await putSettings(t, admin, { method: 'oidc', oidc: idp.settings(overrides) });
  };

  const run = async (endpoint: Endpoint, target: string): Promise<{ code: string; ms: number }> => {
    const started = Date.now();
    if (endpoint === 'discovery') {
      const answer = await api(t, 'post', '/api/v1/admin/authentication/discover', admin).send({
        issuer: target,
      });
      expect(answer.status).toBe(400);
      return { code: answer.body.error as string, ms: Date.now() - started };
    }
    await configure(endpoint, target);
    const configured = Date.now();
    const { callback, sessionToken } = await signIn(t.baseUrl, { accept: 'application/json' });
    expect(sessionToken).toBeUndefined();
    expect(callback.status, callback.text).toBeGreaterThanOrEqual(400);
    return { code: (callback.json as { error: string }).error, ms: Date.now() - configured };
  };

  for (const endpoint of ['token', 'jwks', 'userinfo', 'discovery'] as const) {
    describe(`${endpoint} endpoint`, () => {
      faults.forEach(([name, behaviour], index) => {
        it(`${name}: coded refusal within the timeout, no socket left open`, async () => {
          let target: string;
          if (behaviour === 'closed-port') target = `http://127.0.0.1:${await freePort()}/x`;
          else {
            const path = `/${endpoint}-${index}`;
            fault.faults.set(path, behaviour);
            target = `${fault.url}${path}`;
          }
          // Discovery appends the well-known path to the issuer: serve the fault there too.
          if (endpoint === 'discovery' && behaviour !== 'closed-port')
            fault.faults.set(`/${endpoint}-${index}/.well-known/openid-configuration`, behaviour);
          const { code, ms } = await run(endpoint, target);
          seen.push(`${endpoint} / ${name}: ${code} after ${ms} ms`);
          expect(allowed[endpoint]).toContain(code);
          expect(ms).toBeLessThan(BOUND_MS);
          expect(await fault.settled()).toBe(0);
          const hello = await call(`${t.baseUrl}/api/v1/hello`);
          expect(hello.status).toBe(200);
        });
      });
    });
  }

  it('a JWKS of malformed keys refuses the login with id_token_invalid_signature', async () => {
    const kid = idp.key.kid;
    fault.faults.set('/jwks-malformed', {
      kind: 'json',
      body: {
        keys: [
          { kty: 'RSA', kid, n: '!!!not-base64!!!', e: 'AQAB' },
          { kty: 'RSA', kid },
          { kty: 'RSA', kid, n: validN, e: '' },
          { kty: 'RSA', kid, n: 12, e: ['x'] },
          { kty: 'RSA', kid, n: 'AQAB'.repeat(80), e: 'AQAB', use: 'sig' },
          'a string',
          null,
          [],
          { kty: 'EC', kid, crv: 'P-256', x: 'x', y: 'y' },
          { kty: 'oct', kid, k: 'c2VjcmV0' },
        ],
      },
    });
    const { code, ms } = await run('jwks', `${fault.url}/jwks-malformed`);
    seen.push(`jwks / malformed keys: ${code} after ${ms} ms`);
    expect(code).toBe('id_token_invalid_signature');
    expect(await fault.settled()).toBe(0);
  });

  it('a slow IdP that answers within the timeout still signs the user in', async () => {
    await putSettings(t, admin, { method: 'oidc', oidc: idp.settings({ fallback: true }) });
    const normal = idp.onToken;
    idp.onToken = async (request, self) => {
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 3));
      return normal(request, self);
    };
    try {
      const { callback, sessionToken } = await signIn(t.baseUrl, { accept: 'application/json' });
      expect(callback.status, callback.text).toBe(302);
      expect(sessionToken).toBeTruthy();
      seen.push('token / answers after a third of the timeout: signed in');
    } finally {
      idp.onToken = normal;
    }
  });

  it('wrote no token, secret or password to the logs meanwhile', () => {
    const text = t.logs.text();
    for (const secret of [idp.clientSecret, admin, t.adminPassword])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/); // no compact JWT
  });
});
