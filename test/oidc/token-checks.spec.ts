import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import { type CraftedIdp, type TokenRequest, startCraftedIdp } from '../support/crafted-idp.js';
import { LOGOUT_EVENT } from '../support/logout-token-signer.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('token time checks and the RFC 9207 iss parameter', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;
  let db: pg.Client;
  const now = () => Math.floor(Date.now() / 1000);

  const configure = (overrides: Record<string, unknown> = {}) =>
    putSettings(t, admin, { method: 'oidc', oidc: idp.settings(overrides) });

  const signIn = async () => {
    const { callback, sessionToken } = await oidcSignIn(
      new BrowserSession(),
      t.baseUrl,
      { userName: 'x', password: 'x' },
      { accept: 'application/json' },
    );
    const body = callback.status === 302 ? {} : (JSON.parse(callback.body) as { error?: string });
    return { status: callback.status, error: body.error, sessionToken };
  };

  const idTokenWith = (overrides: (request: TokenRequest) => Record<string, unknown>) => {
    idp.onToken = async (request, self) => ({
      access_token: 'at-1',
      token_type: 'Bearer',
      id_token: await self.signRsa(self.claims(request, overrides(request))),
    });
  };

  beforeAll(async () => {
    t = await startTestApp();
    idp = await startCraftedIdp();
    admin = await loginAsAdmin(t);
    db = await rawClient(t.databaseUrl);
  });

  beforeEach(async () => {
    idp.responseIss = undefined;
    idTokenWith(() => ({}));
    await configure({ authorizationResponseIssParameterSupported: false });
  });

  afterAll(async () => {
    await db?.end();
    await idp?.stop();
    await t?.close();
  });

  describe('leeway (default 60 s), the same for exp, nbf and iat', () => {
    it('accepts an ID token that expired 30 s ago', async () => {
      idTokenWith(() => ({ iat: now() - 120, exp: now() - 30 }));
      const result = await signIn();
      expect(result.error).toBeUndefined();
      expect(result.status).toBe(302);
      expect(result.sessionToken).toBeTruthy();
    });

    it('refuses an ID token that expired 90 s ago with id_token_expired', async () => {
      idTokenWith(() => ({ iat: now() - 180, exp: now() - 90 }));
      const result = await signIn();
      expect(result.error).toBe('id_token_expired');
      expect(result.sessionToken).toBeUndefined();
    });

    it('accepts nbf and iat 30 s ahead, refuses them 90 s ahead', async () => {
      idTokenWith(() => ({ nbf: now() + 30, iat: now() + 30 }));
      expect((await signIn()).status).toBe(302);
      idTokenWith(() => ({ nbf: now() + 90 }));
      expect((await signIn()).error).toBe('id_token_not_yet_valid');
      idTokenWith(() => ({ iat: now() + 90 }));
      expect((await signIn()).error).toBe('id_token_not_yet_valid');
    });
  });

  describe('absurd time values', () => {
    it.each([
      ['exp beyond the year 9999', { exp: 253_402_300_800 }],
      ['exp 9e15', { exp: 9e15 }],
      ['exp 1e308', { exp: 1e308 }],
      ['exp as a string', { exp: String(now() + 60) }],
      ['negative iat', { iat: -1 }],
      ['nbf null', { nbf: null }],
    ])('refuses an ID token with %s as id_token_malformed', async (_name, claims) => {
      idTokenWith(() => claims);
      const result = await signIn();
      expect(result.error).toBe('id_token_malformed');
      expect(result.sessionToken).toBeUndefined();
    });

    it('accepts a fractional NumericDate', async () => {
      idTokenWith(() => ({ exp: now() + 60.5, iat: now() - 0.25 }));
      expect((await signIn()).status).toBe(302);
    });

    it('answers 400 to a logout token with exp 9e15 and logs no database error', async () => {
      await configure({ signatureAlgorithms: ['HS256'] });
      const { SignJWT } = await import('jose');
      const token = await new SignJWT({
        iss: idp.issuer,
        aud: idp.clientId,
        iat: now(),
        exp: 9e15,
        jti: `jti-${Date.now()}`,
        sub: 'sub-1',
        events: { [LOGOUT_EVENT]: {} },
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' })
        .sign(new TextEncoder().encode(idp.clientSecret));
      const linesBefore = t.logs.lines.length;
      const response = await fetch(`${t.baseUrl}/api/v1/backchannelLogout`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
      const newLines = t.logs.lines.slice(linesBefore);
      expect(newLines.filter((line) => line.startsWith('error '))).toEqual([]);
      const { rows } = await db.query<{ reason: string; message: string }>(
        `SELECT reason, message FROM auth_log WHERE method = 'backchannel' ORDER BY created_at DESC LIMIT 1`,
      );
      expect(rows[0]).toMatchObject({ reason: 'logout_token_invalid' });
      expect(rows[0].message).toMatch(/"exp" is not a usable time/);
    });
  });

  describe('RFC 9207 iss authorization-response parameter', () => {
    it('signs in when iss equals the issuer', async () => {
      idp.responseIss = idp.issuer;
      expect((await signIn()).status).toBe(302);
    });

    it('refuses another iss with iss_mismatch, before the token request', async () => {
      idp.responseIss = 'https://evil.example';
      const tokenRequests = idp.tokenRequests.length;
      const result = await signIn();
      expect(result.error).toBe('iss_mismatch');
      expect(result.sessionToken).toBeUndefined();
      expect(idp.tokenRequests.length).toBe(tokenRequests);
      const log = await api(t, 'get', '/api/v1/admin/auth-log', admin);
      expect(log.body[0]).toMatchObject({ method: 'oidc', success: false, reason: 'iss_mismatch' });
    });

    it('accepts a missing iss unless the settings say the IdP sends it', async () => {
      expect((await signIn()).status).toBe(302);
      await configure({ authorizationResponseIssParameterSupported: true });
      expect((await signIn()).error).toBe('iss_mismatch');
      idp.responseIss = idp.issuer;
      expect((await signIn()).status).toBe(302);
    });
  });
});
