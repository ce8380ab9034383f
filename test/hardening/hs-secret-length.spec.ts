import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptSecret } from '../../src/common/crypto.js';
import { api, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';
import { LOGOUT_EVENT } from '../support/logout-token-signer.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SHORT_SECRET = '0123456789abcdef'; // 16 bytes: below HS256's 32

describe('HS* client secrets shorter than the hash (RFC 7518 3.2)', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;
  let db: pg.Client;

  beforeAll(async () => {
    t = await startTestApp();
    idp = await startCraftedIdp({ clientSecret: SHORT_SECRET });
    admin = await loginAsAdmin(t);
    db = await rawClient(t.databaseUrl);
  });

  afterAll(async () => {
    await db?.end();
    await idp?.stop();
    await t?.close();
  });

  /** Stores the short secret the way settings saved before the rule would have it. */
  const storeShortSecretBehindTheValidator = async () => {
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: idp.settings({ clientSecret: 'x'.repeat(64), signatureAlgorithms: ['HS256'] }),
    });
    const key = Buffer.from(t.secretKey, 'hex');
    await db.query(
      'UPDATE auth_settings SET client_secret_encrypted = $1, version = version + 1 WHERE id = 1',
      [encryptSecret(SHORT_SECRET, key)],
    );
  };

  it('refuses a 16-byte secret with HS256 allowed as a field error coded hs_secret_too_short', async () => {
    const response = await api(t, 'put', '/api/v1/admin/authentication', admin).send({
      method: 'oidc',
      oidc: idp.settings({ signatureAlgorithms: ['RS256', 'HS256'] }),
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation_failed');
    expect(response.body.fields['oidc.clientSecret']).toMatch(/^hs_secret_too_short: HS256 .*32/);
  });

  it('refuses to allow HS512 while the stored secret is shorter than 64 bytes', async () => {
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: idp.settings({ clientSecret: 'y'.repeat(40), signatureAlgorithms: ['HS256'] }),
    });
    const response = await api(t, 'put', '/api/v1/admin/authentication', admin).send({
      oidc: { signatureAlgorithms: ['HS512'] },
    });
    expect(response.status).toBe(400);
    expect(response.body.fields['oidc.clientSecret']).toMatch(
      /^hs_secret_too_short: HS512 .*64.*40/,
    );
    // The same stored secret is long enough for HS256 and for RS* only.
    await putSettings(t, admin, { oidc: { signatureAlgorithms: ['RS256'] } });
  });

  it('accepts a short secret when no HS* algorithm is allowed', async () => {
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: idp.settings({ signatureAlgorithms: ['RS256'] }),
    });
  });

  it('refuses an ID token signed HS256 with a stored 16-byte secret (hs_secret_too_short)', async () => {
    await storeShortSecretBehindTheValidator();
    idp.onToken = async (request, self) => ({
      access_token: 'at-1',
      token_type: 'Bearer',
      id_token: await self.signHmac(self.claims(request), SHORT_SECRET, 'HS256'),
    });
    const { callback, sessionToken } = await oidcSignIn(
      new BrowserSession(),
      t.baseUrl,
      { userName: 'x', password: 'x' },
      { accept: 'application/json' },
    );
    expect(callback.status).toBe(401);
    expect(JSON.parse(callback.body)).toMatchObject({ error: 'hs_secret_too_short' });
    expect(sessionToken).toBeUndefined();
  });

  it('refuses a logout token signed HS256 with a stored 16-byte secret (400, logged as hs_secret_too_short)', async () => {
    await storeShortSecretBehindTheValidator();
    const now = Math.floor(Date.now() / 1000);
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({
      iss: idp.issuer,
      aud: idp.clientId,
      iat: now,
      exp: now + 60,
      jti: `j-${now}`,
      sub: 'sub-1',
      events: { [LOGOUT_EVENT]: {} },
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' })
      .sign(new TextEncoder().encode(SHORT_SECRET));
    const response = await fetch(`${t.baseUrl}/api/v1/backchannelLogout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    const { rows } = await db.query<{ reason: string }>(
      `SELECT reason FROM auth_log WHERE method = 'backchannel' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(rows[0]?.reason).toBe('hs_secret_too_short');
  });
});
