import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import {
  api,
  createUser,
  loginAsAdmin,
  oidcSettingsFor,
  putSettings,
} from '../support/auth-helpers.js';
import {
  LOGOUT_EVENT,
  type LogoutTokenSigner,
  startLogoutTokenSigner,
} from '../support/logout-token-signer.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CLIENT_SECRET = 'test-client-secret-value';

interface Answer {
  status: number;
  body: string;
  cacheControl: string | null;
}

async function post(
  t: TestApp,
  body: string,
  contentType = 'application/x-www-form-urlencoded',
): Promise<Answer> {
  const response = await fetch(`${t.baseUrl}/api/v1/backchannelLogout`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body,
  });
  return {
    status: response.status,
    body: await response.text(),
    cacheControl: response.headers.get('cache-control'),
  };
}

const form = (token: string): string => new URLSearchParams({ logout_token: token }).toString();

function expectRefused(answer: Answer): void {
  expect(answer.status, answer.body).toBe(400);
  expect(answer.cacheControl).toBe('no-store');
  const parsed = JSON.parse(answer.body) as Record<string, unknown>;
  expect(Object.keys(parsed).sort()).toEqual(['error', 'error_description']);
  expect(parsed.error).toBe('invalid_request');
  expect(parsed.error_description).toEqual(expect.any(String));
}

function expectDone(answer: Answer): void {
  expect(answer.status, answer.body).toBe(200);
  expect(answer.body).toBe('');
  expect(answer.cacheControl).toBe('no-store');
}

describe('POST /backchannelLogout', () => {
  let t: TestApp;
  let signer: LogoutTokenSigner;
  let db: pg.Client;
  let adminToken: string;
  let alice: { id: string };
  let bob: { id: string };
  let sessions: Record<'aliceSid' | 'aliceOtherSid' | 'alicePassword' | 'bob', string>;

  const settings = (): Record<string, unknown> => ({
    method: 'oidc',
    oidc: oidcSettingsFor(signer.issuer, {
      clientId: signer.clientId,
      clientSecret: CLIENT_SECRET,
      jwksEndpoint: signer.jwksUri,
      signatureAlgorithms: ['RS256'],
    }),
  });

  beforeAll(async () => {
    signer = await startLogoutTokenSigner('test-client');
    t = await startTestApp();
    db = await rawClient(t.databaseUrl);
    adminToken = await loginAsAdmin(t);
    alice = await createUser(t, adminToken);
    bob = await createUser(t, adminToken);
    await putSettings(t, adminToken, settings());
  });

  afterAll(async () => {
    await db?.end();
    await t?.close();
    await signer?.close();
  });

  beforeEach(async () => {
    const service = t.app.get(SessionsService);
    const idp = (subject: string, sid: string) => ({
      issuer: signer.issuer,
      subject,
      sid,
      idToken: 'x.y.z',
    });
    sessions = {
      aliceSid: (await service.create(alice.id, 'oidc', idp('user-sub', 'idp-sid'))).session.id,
      aliceOtherSid: (await service.create(alice.id, 'oidc', idp('user-sub', 'idp-sid-2'))).session
        .id,
      alicePassword: (await service.create(alice.id, 'password')).session.id,
      bob: (await service.create(bob.id, 'oidc', idp('other-sub', 'idp-sid'))).session.id,
    };
  });

  async function revokedOfThisTest(): Promise<string[]> {
    const ids = Object.values(sessions);
    const result = await db.query<{ id: string }>(
      'SELECT id FROM auth_session WHERE id = ANY($1) AND revoked_at IS NOT NULL',
      [ids],
    );
    const names = Object.entries(sessions);
    return result.rows.map((row) => names.find(([, id]) => id === row.id)![0]).sort();
  }

  describe('refuses with 400 invalid_request and revokes nothing', () => {
    const cases: [string, () => Promise<string>, RegExp][] = [
      [
        'alg none',
        () => Promise.resolve(signer.unsigned(signer.claims())),
        /not in the allowed signature algorithms/,
      ],
      [
        'a valid signature with an algorithm outside the allow-list (RS384)',
        () => signer.sign(signer.claims(), { alg: 'RS384' }),
        /RS384.*not in the allowed/,
      ],
      [
        'a valid HS256 signature by the client secret when only RS256 is allowed',
        () => signer.signHmac(signer.claims(), CLIENT_SECRET),
        /HS256.*not in the allowed/,
      ],
      ['wrong aud', () => signer.sign(signer.claims({ aud: 'another-client' })), /aud/],
      ['wrong iss', () => signer.sign(signer.claims({ iss: 'http://127.0.0.1:1/evil' })), /issuer/],
      ['no events', () => signer.sign(signer.claims({ events: undefined })), /events/],
      [
        'a different event',
        () => signer.sign(signer.claims({ events: { 'https://example.com/other-event': {} } })),
        /back-channel logout event/,
      ],
      [
        'events not an object',
        () => signer.sign(signer.claims({ events: LOGOUT_EVENT })),
        /events/,
      ],
      [
        'the event value not an object',
        () => signer.sign(signer.claims({ events: { [LOGOUT_EVENT]: 'yes' } })),
        /back-channel logout event/,
      ],
      ['with nonce', () => signer.sign(signer.claims({ nonce: 'abc' })), /nonce/],
      [
        'expired',
        () => {
          const now = Math.floor(Date.now() / 1000);
          return signer.sign(signer.claims({ iat: now - 7200, exp: now - 3600 }));
        },
        /expired/,
      ],
      ['missing iat', () => signer.sign(signer.claims({ iat: undefined })), /iat/],
      ['missing exp', () => signer.sign(signer.claims({ exp: undefined })), /exp/],
      ['missing jti', () => signer.sign(signer.claims({ jti: undefined })), /jti/],
      [
        'neither sub nor sid',
        () => signer.sign(signer.claims({ sub: undefined, sid: undefined })),
        /neither/,
      ],
      [
        'a bad signature',
        async () => {
          const good = await signer.sign(signer.claims());
          const other = await signer.sign(signer.claims({ sub: 'someone-else' }));
          const [header, payload] = good.split('.');
          return `${header}.${payload}.${other.split('.')[2]}`;
        },
        /signature is invalid/,
      ],
      [
        'an ID token',
        () => {
          const now = Math.floor(Date.now() / 1000);
          return signer.sign(
            {
              iss: signer.issuer,
              aud: signer.clientId,
              sub: 'user-sub',
              sid: 'idp-sid',
              iat: now,
              exp: now + 300,
              nonce: 'n-0S6_WzA2Mj',
              jti: 'id-token-jti',
              auth_time: now,
            },
            { typ: undefined },
          );
        },
        /events|nonce/,
      ],
      ['typ JWT', () => signer.sign(signer.claims(), { typ: 'JWT' }), /logout\+jwt/],
      ['garbage', () => Promise.resolve('not-a-jwt'), /not a signed JWT/],
    ];
    it.each(cases)('%s', async (_name, make, reason) => {
      const answer = await post(t, form(await make()));
      expectRefused(answer);
      expect((JSON.parse(answer.body) as { error_description: string }).error_description).toMatch(
        reason,
      );
      expect(await revokedOfThisTest()).toEqual([]);
    });

    it('a replayed jti (first delivery accepted, second refused)', async () => {
      const token = await signer.sign(signer.claims({ sid: 'no-such-idp-session' }));
      expectDone(await post(t, form(token)));
      expectRefused(await post(t, form(token)));
      expect(await revokedOfThisTest()).toEqual([]);
    });

    it('transport: wrong content type, missing, repeated, oversized body', async () => {
      const token = await signer.sign(signer.claims());
      expectRefused(await post(t, JSON.stringify({ logout_token: token }), 'application/json'));
      expectRefused(await post(t, form(token), 'text/plain'));
      expectRefused(await post(t, ''));
      expectRefused(await post(t, 'other=1'));
      expectRefused(await post(t, `${form(token)}&${form(token)}`));
      expectRefused(await post(t, `${form(token)}&padding=${'a'.repeat(40_000)}`));
      expect(await revokedOfThisTest()).toEqual([]);
    });

    it('GET is never 200', async () => {
      const token = await signer.sign(signer.claims());
      const response = await fetch(`${t.baseUrl}/api/v1/backchannelLogout?${form(token)}`);
      expectRefused({
        status: response.status,
        body: await response.text(),
        cacheControl: response.headers.get('cache-control'),
      });
      expect(await revokedOfThisTest()).toEqual([]);
    });

    it('when the site is not in OIDC mode', async () => {
      await putSettings(t, adminToken, { method: 'password' });
      try {
        expectRefused(await post(t, form(await signer.sign(signer.claims()))));
      } finally {
        await putSettings(t, adminToken, settings());
      }
      expect(await revokedOfThisTest()).toEqual([]);
    });
  });

  it('by sid: revokes only the sessions of that IdP session', async () => {
    expectDone(await post(t, form(await signer.sign(signer.claims()))));
    expect(await revokedOfThisTest()).toEqual(['aliceSid']);
  });

  it('by sub only: revokes every OIDC session of that subject, not password sessions', async () => {
    expectDone(await post(t, form(await signer.sign(signer.claims({ sid: undefined })))));
    expect(await revokedOfThisTest()).toEqual(['aliceOtherSid', 'aliceSid']);
  });

  it('answers 200 when no session matches', async () => {
    expectDone(
      await post(t, form(await signer.sign(signer.claims({ sub: 'nobody', sid: undefined })))),
    );
    expect(await revokedOfThisTest()).toEqual([]);
  });

  it('the same token delivered twice in parallel revokes once', async () => {
    const token = await signer.sign(signer.claims());
    const answers = await Promise.all([post(t, form(token)), post(t, form(token))]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    expect(await revokedOfThisTest()).toEqual(['aliceSid']);
  });

  it('a replay to another instance sharing the database is refused', async () => {
    const other = await startTestApp({ databaseUrl: t.databaseUrl, secretKey: t.secretKey });
    try {
      const token = await signer.sign(signer.claims({ sid: 'no-such-idp-session' }));
      expectDone(await post(t, form(token)));
      expectRefused(await post(other, form(token)));
    } finally {
      await other.close();
    }
  });

  it('writes the auth log and logs claims at debug level, never the token', async () => {
    const token = await signer.sign(signer.claims());
    expectDone(await post(t, form(token)));
    const log = await api(t, 'get', '/api/v1/admin/auth-log', adminToken).expect(200);
    const rows = log.body as {
      method: string;
      success: boolean;
      reason: string;
      message: string;
      userName: string | null;
    }[];
    expect(
      rows.some((row) => row.method === 'backchannel' && row.success && row.reason === 'ok'),
    ).toBe(true);
    // Written by the revocation statement itself: the count and the user come from SQL.
    expect(rows.find((row) => row.method === 'backchannel' && row.success)).toMatchObject({
      message: expect.stringMatching(
        /^Back-channel logout by IdP session \(sid\): \d+ session\(s\) revoked\.$/,
      ),
      userName: expect.any(String),
    });
    expect(rows.some((row) => row.method === 'backchannel' && !row.success)).toBe(true);
    const text = t.logs.text();
    expect(text).toContain('Logout token header');
    // A token refused by its signature still gets its debug line (decoded on the refusal path).
    expect(text).toMatch(/Logout token \(refused\) header \{"alg":"RS256"/);
    // So is one refused by its typ, before any key lookup.
    expect(text).toMatch(/Logout token \(refused\) header \{[^}]*"typ":"JWT"/);
    expect(text).toContain('"sid":"idp-sid"');
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split('.')[2]);
  });
});
