// Property-based fuzzing of every input an outsider controls, through real HTTP: every answer is
// a coded 4xx or the correct success, never a 5xx or a hang, and the app keeps serving.
import fc from 'fast-check';
import { randomBytes, randomUUID, sign as cryptoSign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  type Answer,
  call,
  CaseCounter,
  cookieHeader,
  expectCodedClientError,
} from './support/http.js';
import { authorizeAtIdp, signIn, startLogin } from './support/oidc-flow.js';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const counter = new CaseCounter();

/** Unicode text including astral characters, controls and lone surrogates. */
const anyText = (maxLength = 64) => fc.string({ unit: 'binary', maxLength });
const hugeText = fc.string({ minLength: 3000, maxLength: 9000, unit: 'binary-ascii' });
const wrongValue = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(anyText(8), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 4 }), wrongValue, anyText(), hugeText);

describe('fuzzing outsider inputs over HTTP', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;
  const sentSignatures: string[] = [];

  const oidcSettings = () => ({ method: 'oidc', oidc: idp.settings({ fallback: true }) });

  beforeAll(async () => {
    t = await startTestApp({
      // Thousands of refusals from one address: the per-address throttle is not what is fuzzed.
      auth: {
        idpTimeoutMs: 3000,
        throttle: { callbackPerAddress: 100_000, backchannelPerAddress: 100_000 },
      },
    });
    idp = await startCraftedIdp();
    admin = await loginAsAdmin(t);
    await putSettings(t, admin, oidcSettings());
  });

  afterAll(async () => {
    console.log(`[hardening] ${counter.summary()}`);
    await idp?.stop();
    await t?.close();
  });

  const url = (path: string) => `${t.baseUrl}/api/v1${path}`;

  it('login bodies: 4xx with a stable code, never a token', async () => {
    const body = fc.oneof(
      fc
        .record(
          { username: fc.oneof(anyText(300), anyJson), password: fc.oneof(anyText(1100), anyJson) },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
      fc
        .dictionary(anyText(12), anyJson, { maxKeys: 5 })
        .map((value) => JSON.stringify({ username: 'admin', password: 'x', ...value })),
      anyJson.map((value) => JSON.stringify(value)),
      anyText(200), // not JSON at all
      hugeText.map((value) => JSON.stringify({ username: value, password: value })),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin-9',
      'text/plain',
      'application/x-www-form-urlencoded',
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, async (payload, type) => {
        counter.add('login body');
        const answer = await call(url('/auth/login'), {
          method: 'POST',
          headers: { 'content-type': type },
          body: payload,
        });
        const code = expectCodedClientError(answer, `login ${type} ${payload.slice(0, 80)}`);
        expect(answer.text).not.toContain('"token"');
        expect(answer.headers.getSetCookie()).toEqual([]);
        expect([
          'validation_failed',
          'invalid_json',
          'invalid_credentials',
          'too_many_attempts',
          'unsupported_media_type',
          'payload_too_large',
          'bad_request',
        ]).toContain(code);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('admin settings body: 400 validation_failed with fields, or 200 without the secret', async () => {
    const field = (valid: fc.Arbitrary<unknown>) => fc.oneof(valid, anyJson);
    const oidcBody = fc.record(
      {
        clientId: field(anyText()),
        clientSecret: field(fc.constantFrom('fuzz-secret-value-1', 'fuzz-secret-value-2')),
        issuer: field(
          fc.constantFrom(idp.issuer, 'https://idp.example.com', 'http://evil.example'),
        ),
        authorizationEndpoint: field(fc.webUrl()),
        tokenEndpoint: field(fc.webUrl()),
        userInfoEndpoint: field(fc.oneof(fc.constant(null), fc.webUrl())),
        jwksEndpoint: field(fc.oneof(fc.constant(null), fc.webUrl())),
        endSessionEndpoint: field(fc.oneof(fc.constant(null), fc.webUrl())),
        tokenEndpointAuthMethod: field(
          fc.constantFrom('client_secret_post', 'client_secret_basic'),
        ),
        signatureAlgorithms: field(
          fc.array(fc.constantFrom('RS256', 'HS256', 'none', 'ES256', 'RS512'), {
            maxLength: 4,
          }),
        ),
        scopes: field(fc.array(anyText(20), { maxLength: 5 })),
        usernameClaim: field(fc.constantFrom('sub', 'preferred_username', 'a.b.c', '')),
        createUser: field(fc.boolean()),
        sync: field(fc.boolean()),
        groupClaim: field(fc.oneof(fc.constant(null), fc.constantFrom('groups', 'realm.roles'))),
        syncTeams: field(fc.boolean()),
        teamMapping: field(
          fc.array(fc.record({ teamId: fc.oneof(fc.uuid(), anyJson), group: anyJson }), {
            maxLength: 3,
          }),
        ),
        fallback: field(fc.boolean()),
        allowRegularUserFallback: field(fc.boolean()),
        allowAdminUser: field(fc.boolean()),
        logoutUrl: field(fc.oneof(fc.constant(null), fc.webUrl())),
        prompt: field(fc.constantFrom(null, 'none', 'login', 'consent', 'select_account')),
        maxAge: field(fc.oneof(fc.constant(null), fc.integer({ min: -10, max: 40_000_000 }))),
        pkce: field(fc.boolean()),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.record(
        {
          method: field(fc.constantFrom('password', 'oidc')),
          oidc: fc.oneof(oidcBody, anyJson),
        },
        { requiredKeys: [] },
      ),
      fc
        .tuple(oidcBody, fc.dictionary(anyText(16), anyJson, { minKeys: 1, maxKeys: 3 }))
        .map(([oidc, extra]) => ({ method: 'oidc', oidc: { ...oidc, ...extra } })),
      fc
        .dictionary(anyText(16), anyJson, { minKeys: 1, maxKeys: 3 })
        .map((extra) => ({ method: 'password', ...extra })),
      anyJson,
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        counter.add('settings body');
        const text = JSON.stringify(payload);
        const answer = await call(url('/admin/authentication'), {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
          body: text,
        });
        expect(answer.text).not.toContain('fuzz-secret-value');
        expect(answer.text).not.toContain(idp.clientSecret);
        if (answer.status === 200) {
          const view = answer.json as Record<string, unknown>;
          expect(view).toHaveProperty('clientSecretSet', true);
          expect(view.oidc).not.toHaveProperty('clientSecret');
          expect(view).toHaveProperty('redirectUri');
          return;
        }
        const code = expectCodedClientError(answer, `settings ${text.slice(0, 200)}`);
        expect(['validation_failed', 'invalid_json', 'payload_too_large']).toContain(code);
        if (code === 'validation_failed')
          expect(Object.keys((answer.json as { fields: object }).fields).length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
    await putSettings(t, admin, oidcSettings());
  }, 60_000);

  it('returnTo: every off-site or tricky value lands on a path of the site itself', async () => {
    const attack = fc
      .array(
        fc.constantFrom(
          '/',
          '//',
          '\\',
          '/\\',
          '%2f',
          '%2F%2F',
          '%5c',
          '%5C',
          'evil.example',
          '@evil.example',
          'http:',
          'https://evil.example',
          'javascript:alert(1)',
          '%0d%0a',
          '\r\n',
          '\t',
          '%09',
          '%00',
          '\u3002',
          '\uff0f',
          '\u2215',
          '\u2028',
          '..',
          '%2e%2e',
          '?next=//evil',
          '#//evil',
          ' ',
          'é',
          '%E2%80%AE',
          '%',
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((parts) => parts.join(''));
    const value = fc.oneof(attack, fc.webPath(), fc.webUrl(), anyText(80));
    const site = new URL(t.baseUrl);
    await fc.assert(
      fc.asyncProperty(value, async (returnTo) => {
        counter.add('returnTo');
        const { callback } = await signIn(t.baseUrl, { returnTo });
        expect(callback.status, callback.text).toBe(302);
        const location = callback.headers.get('location') ?? '';
        expect(location.startsWith('/'), location).toBe(true);
        expect(location.startsWith('//'), location).toBe(false);
        expect(location).not.toMatch(/[\\\r\n\t]/);
        expect(new URL(location, site).origin).toBe(site.origin);
        // A plain local path comes back unchanged.
        if (/^\/[a-z0-9/_-]*$/i.test(returnTo) && !returnTo.startsWith('//'))
          expect(location).toBe(returnTo);
      }),
      { numRuns: 250 },
    );
  }, 60_000);

  it('callback query strings: coded refusal (JSON 4xx or 302 to /login?error=), never 5xx', async () => {
    const key = fc.oneof(
      fc.constantFrom('code', 'state', 'error', 'error_description', 'iss', 'session_state'),
      anyText(10),
    );
    const valueArb = fc.oneof(anyText(40), hugeText, fc.constant(''));
    const pairs = fc.array(fc.tuple(key, valueArb), { maxLength: 6 });
    const mode = fc.constantFrom('no-cookie', 'other-cookie', 'real-state');
    const accept = fc.constantFrom('application/json', 'text/html', '*/*');
    await fc.assert(
      fc.asyncProperty(pairs, mode, accept, async (params, which, acceptHeader) => {
        counter.add('callback query');
        const query = new URLSearchParams();
        const headers: Record<string, string> = { accept: acceptHeader };
        if (which === 'real-state') {
          // A genuine pending login with a fuzzed code (and maybe fuzzed extras).
          const login = await startLogin(t.baseUrl);
          headers.cookie = cookieHeader(login.cookies);
          query.append('state', login.state);
          query.append('code', randomBytes(8).toString('base64url'));
        } else if (which === 'other-cookie') {
          headers.cookie = `auth_login_state=${randomBytes(32).toString('base64url')}`;
        }
        for (const [name, value] of params) query.append(name, value);
        const answer = await call(`${url('/auth/oidc/callback')}?${query.toString()}`, {
          headers,
        });
        // Node itself refuses a request line over its header limit, before the app runs.
        if (answer.status === 431) return;
        expect(answer.headers.get('cache-control'), `status ${answer.status}`).toBe('no-store');
        expect(answer.headers.getSetCookie().some((c) => c.startsWith('auth_session='))).toBe(
          false,
        );
        if (answer.status === 302) {
          expect(answer.headers.get('location')).toMatch(/^\/login\?error=[a-z_]+$/);
          return;
        }
        const code = expectCodedClientError(answer, `callback ${query.toString().slice(0, 200)}`);
        expect(code).not.toBe('internal_error');
      }),
      { numRuns: 700, endOnFailure: true },
    );
  }, 60_000);

  describe('logout_token', () => {
    const post = async (body: string, contentType = 'application/x-www-form-urlencoded') => {
      counter.add('logout_token');
      return call(url('/backchannelLogout'), {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
    };
    const form = (token: string) => new URLSearchParams({ logout_token: token }).toString();
    const expectRefused = (answer: Answer, context: string) => {
      expect(answer.status, `${context}: ${answer.text}`).toBe(400);
      expect(answer.headers.get('cache-control')).toBe('no-store');
      const body = answer.json as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
      expect(body.error).toBe('invalid_request');
    };
    const claims = (overrides: Record<string, unknown> = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const base: Record<string, unknown> = {
        iss: idp.issuer,
        aud: idp.clientId,
        iat: now,
        exp: now + 120,
        jti: randomUUID(),
        events: { [LOGOUT_EVENT]: {} },
        sub: 'sub-1',
        sid: 'sid-1',
        ...overrides,
      };
      for (const name of Object.keys(base)) if (base[name] === undefined) delete base[name];
      return base;
    };
    const sign = async (payload: Record<string, unknown>, header: Record<string, unknown> = {}) => {
      const token = await idp.signRsa(payload, { header: { typ: 'logout+jwt', ...header } });
      sentSignatures.push(token.split('.')[2]);
      return token;
    };
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    /** Signs header and payload given as JSON text (nesting deeper than JSON.stringify allows). */
    const signText = (headerJson: string, payloadJson: string) => {
      const input = `${Buffer.from(headerJson).toString('base64url')}.${Buffer.from(payloadJson).toString('base64url')}`;
      const signature = cryptoSign('sha256', Buffer.from(input), idp.key.privateKey).toString(
        'base64url',
      );
      sentSignatures.push(signature);
      return Promise.resolve(`${input}.${signature}`);
    };
    const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const withMember = (json: string, member: string) => `${json.slice(0, -1)},${member}}`;

    it('accepts a valid token once and refuses its replay', async () => {
      const token = await sign(claims());
      const first = await post(form(token));
      expect(first.status, first.text).toBe(200);
      expect(first.text).toBe('');
      expectRefused(await post(form(token)), 'replay');
    });

    it('refuses random bytes, truncated and re-encoded tokens', async () => {
      const valid = await sign(claims());
      const mangled = fc.oneof(
        fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
        fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
        fc.nat({ max: valid.length - 1 }).map((cut) => valid.slice(0, cut)),
        fc
          .tuple(fc.nat({ max: valid.length - 1 }), fc.constantFrom('.', 'A', '=', '%', '\u00e9'))
          .map(([at, ch]) => valid.slice(0, at) + ch + valid.slice(at + 1)),
        // Header or payload replaced by other JSON, signature kept.
        fc.jsonValue({ maxDepth: 3 }).map((json) => {
          const [, payload, signature] = valid.split('.');
          return `${b64(json)}.${payload}.${signature}`;
        }),
        fc.jsonValue({ maxDepth: 3 }).map((json) => {
          const [header, , signature] = valid.split('.');
          return `${header}.${b64(json)}.${signature}`;
        }),
        fc.array(anyText(30), { minLength: 2, maxLength: 6 }).map((parts) => parts.join('.')),
        fc.constantFrom(
          idp.unsigned(claims()),
          `${valid}.extra`,
          valid.split('.').slice(0, 2).join('.') + '.',
          valid.replace(/\./g, '..'),
        ),
      );
      const segments = (token: string) =>
        token.split('.').map((part) => Buffer.from(part, 'base64url').toString('hex'));
      let acceptedOnce = false;
      await fc.assert(
        fc.asyncProperty(mangled, async (token) => {
          const answer = await post(form(token));
          // A mutation that decodes to the very same bytes is the valid token: accepted once.
          const same =
            token.split('.').length === 3 &&
            /^[A-Za-z0-9_.-]+$/.test(token) &&
            segments(token).join('.') === segments(valid).join('.');
          if (same && !acceptedOnce && answer.status === 200) {
            acceptedOnce = true;
            return;
          }
          expectRefused(answer, `mangled ${token.slice(0, 60)}`);
        }),
        { numRuns: 500 },
      );
    }, 60_000);

    it('refuses signed tokens with a wrong type for every claim', async () => {
      const notString = fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.string(), { maxLength: 3 }),
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
        fc.constant(''),
      );
      const notNumber = fc.oneof(
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.integer(), { maxLength: 2 }),
        fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
      );
      const wrong = fc.oneof(
        fc.record({ name: fc.constantFrom('iss', 'jti'), value: notString }),
        fc.record({
          name: fc.constantFrom('sub', 'sid'),
          value: notString,
          // the other one may be gone too
          dropOther: fc.boolean(),
        }),
        fc.record({ name: fc.constant('aud'), value: fc.oneof(notString, fc.constant(['x'])) }),
        fc.record({ name: fc.constantFrom('iat', 'exp', 'nbf'), value: notNumber }),
        fc.record({
          name: fc.constant('events'),
          value: fc.oneof(
            notString,
            fc.constant({ [LOGOUT_EVENT]: 'yes' }),
            fc.constant({ [LOGOUT_EVENT]: [] }),
            fc.constant({ other: {} }),
          ),
        }),
        fc.record({ name: fc.constant('nonce'), value: fc.jsonValue({ maxDepth: 1 }) }),
      );
      await fc.assert(
        fc.asyncProperty(wrong, async (choice) => {
          const overrides: Record<string, unknown> = { [choice.name]: choice.value };
          if ('dropOther' in choice && choice.dropOther)
            overrides[choice.name === 'sub' ? 'sid' : 'sub'] = undefined;
          const token = await sign(claims(overrides));
          expectRefused(await post(form(token)), `claim ${JSON.stringify(choice).slice(0, 100)}`);
        }),
        { numRuns: 500 },
      );
    }, 60_000);

    it('accepts odd but valid tokens and refuses the rest (huge, deep, crit, alg, typ, kid)', async () => {
      /** A token and whether a correct verifier accepts it. */
      type Case = { token: Promise<string>; accepted: boolean | 'if-short' };
      const headerCases: [Record<string, unknown>, boolean][] = [
        [{ crit: ['exp'], exp: 1 }, false],
        [{ crit: [] }, false],
        [{ b64: false, crit: ['b64'] }, false],
        [{ alg: 'none' }, false],
        [{ alg: 'HS256' }, false],
        [{ alg: 'RS384' }, false],
        [{ typ: 'JWT' }, false],
        [{ typ: 'at+jwt' }, false],
        [{ kid: 'unknown-kid' }, false],
        // Key-carrying headers are ignored: the JWKS key still verifies, so these are fine.
        [{ jku: 'http://127.0.0.1:1/jwks' }, true],
        [{ x5u: 'http://127.0.0.1:1/cert' }, true],
        [{ typ: 'application/logout+jwt' }, true],
      ];
      const oddToken: fc.Arbitrary<Case> = fc.oneof(
        fc.integer({ min: 1, max: 4000 }).map((depth) => ({
          token: signText(
            JSON.stringify({ alg: 'RS256', kid: idp.key.kid, typ: 'logout+jwt' }),
            withMember(JSON.stringify(claims()), `"deep":${deep(depth)}`),
          ),
          accepted: 'if-short' as const,
        })),
        fc.integer({ min: 100, max: 4000 }).map((depth) => ({
          token: signText(
            withMember(
              JSON.stringify({ alg: 'RS256', kid: idp.key.kid, typ: 'logout+jwt' }),
              `"x":${deep(depth)}`,
            ),
            JSON.stringify(claims()),
          ),
          accepted: 'if-short' as const,
        })),
        hugeText.map((value) => ({
          token: sign(claims(), { pad: value }),
          accepted: 'if-short' as const,
        })),
        fc.constantFrom(...headerCases).map(([header, accepted]) => ({
          token: sign(claims(), header),
          accepted,
        })),
      );
      await fc.assert(
        fc.asyncProperty(oddToken, async (odd) => {
          const token = await odd.token;
          const answer = await post(form(token));
          // The verifier caps logout tokens at 8192 characters.
          const accepted = odd.accepted === 'if-short' ? token.length <= 8192 : odd.accepted;
          if (accepted) {
            expect(answer.status, `odd ${token.slice(0, 120)}: ${answer.text}`).toBe(200);
            expect(answer.text).toBe('');
          } else expectRefused(answer, `odd ${token.slice(0, 120)}`);
        }),
        { numRuns: 200 },
      );
    }, 60_000);

    it('refuses odd bodies: repeated parameter, wrong type, empty, oversized', async () => {
      const valid = await sign(claims());
      const bodies = fc.oneof(
        fc.constant({ body: `logout_token=${valid}&logout_token=${valid}`, type: undefined }),
        fc.constant({ body: JSON.stringify({ logout_token: valid }), type: 'application/json' }),
        fc.constant({ body: '', type: undefined }),
        fc.constant({ body: `logout_token=${'a'.repeat(20_000)}`, type: undefined }),
        fc
          .dictionary(anyText(10), anyText(20), { maxKeys: 60 })
          .map((extra) => ({ body: new URLSearchParams(extra).toString(), type: undefined })),
        anyText(200).map((body) => ({ body, type: 'text/plain' })),
        anyText(200).map((body) => ({ body, type: undefined })),
      );
      await fc.assert(
        fc.asyncProperty(bodies, async ({ body, type }) => {
          expectRefused(await post(body, type), `body ${body.slice(0, 80)}`);
        }),
        { numRuns: 200 },
      );
    }, 60_000);
  });

  it('keeps serving, and no secret or signature reached the logs', async () => {
    const hello = await call(url('/hello'));
    expect(hello.status).toBe(200);
    expect(hello.json).toEqual({ hello: 'world' });
    const { callback, sessionToken } = await signIn(t.baseUrl);
    expect(callback.status).toBe(302);
    expect(sessionToken).toBeTruthy();
    const logs = t.logs.text();
    expect(logs).not.toContain(idp.clientSecret);
    expect(logs).not.toContain('fuzz-secret-value');
    expect(logs).not.toContain(t.adminPassword);
    expect(logs).not.toContain(admin);
    for (const signature of sentSignatures) expect(logs.includes(signature)).toBe(false);
    expect(counter.total()).toBeGreaterThan(3000);
    expect(await authorizeAtIdp(await startLogin(t.baseUrl))).toContain('code=');
  });
});
