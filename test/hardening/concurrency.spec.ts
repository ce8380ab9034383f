// Concurrency: parallel first logins, settings changes racing logins, replayed logout tokens.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { type CraftedIdp, type TokenRequest, startCraftedIdp } from '../support/crafted-idp.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { call } from './support/http.js';
import { signIn } from './support/oidc-flow.js';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** These tests prove outcomes under contention, not speed: bounded only to catch a hang. */
const LOAD_BOUND_MS = 300_000;

/** The client id a token request authenticated with (form or Basic header). */
function clientOf(request: TokenRequest): string {
  const basic = request.authorization?.replace(/^Basic\s+/i, '');
  if (basic) return decodeURIComponent(Buffer.from(basic, 'base64').toString().split(':')[0]);
  return request.form.get('client_id') ?? '';
}

describe('concurrency', () => {
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;
  let db: pg.Client;
  let teams: { id: string; name: string }[];

  beforeAll(async () => {
    t = await startTestApp();
    idp = await startCraftedIdp();
    admin = await loginAsAdmin(t);
    db = await rawClient(t.databaseUrl);
    teams = [await createTeam(t, admin), await createTeam(t, admin), await createTeam(t, admin)];
  });

  afterAll(async () => {
    await db?.end();
    await idp?.stop();
    await t?.close();
  });

  it(
    '50 parallel first logins of one new user create exactly one user with the right teams',
    async () => {
      await putSettings(t, admin, {
        method: 'oidc',
        oidc: idp.settings({
          fallback: true,
          groupClaim: 'groups',
          syncTeams: true,
          teamMapping: [
            { teamId: teams[0].id, group: 'g1' },
            { teamId: teams[1].id, group: 'g2' },
            { teamId: teams[2].id, group: '' },
          ],
        }),
      });
      idp.onToken = async (request, self) => ({
        access_token: 'at-1',
        token_type: 'Bearer',
        id_token: await self.signRsa(
          self.claims(request, {
            sub: 'parallel-sub',
            preferred_username: 'Parallel.New.User',
            groups: ['g1', 'g2', 'unmapped'],
          }),
        ),
      });
      const results = await Promise.all(
        Array.from({ length: 50 }, () => signIn(t.baseUrl, { accept: 'application/json' })),
      );
      const statuses = results.map((r) => `${r.callback.status} ${r.callback.text.slice(0, 80)}`);
      expect(statuses.filter((s) => !s.startsWith('302'))).toEqual([]);
      expect(new Set(results.map((r) => r.sessionToken)).size).toBe(50);
      const users = await db.query<{ id: string }>(
        'SELECT id FROM auth_user WHERE user_name = $1',
        ['parallel.new.user'],
      );
      expect(users.rowCount).toBe(1);
      const memberships = await db.query<{ team_id: string; source: string }>(
        'SELECT team_id, source FROM auth_team_membership WHERE user_id = $1 ORDER BY team_id',
        [users.rows[0].id],
      );
      expect(memberships.rows.map((row) => row.team_id).sort()).toEqual(
        teams.map((team) => team.id).sort(),
      );
      expect(memberships.rows.every((row) => row.source === 'oidc')).toBe(true);
      const sessions = await db.query('SELECT 1 FROM auth_session WHERE user_id = $1', [
        users.rows[0].id,
      ]);
      expect(sessions.rowCount).toBe(50);
    },
    LOAD_BOUND_MS,
  );

  it(
    'parallel settings updates and logins never mix old and new settings within one login',
    async () => {
      // Two complete setting variants that differ in everything a login uses.
      const variants = {
        'client-a': idp.settings({
          clientId: 'client-a',
          fallback: true,
          scopes: ['profile'],
          tokenEndpointAuthMethod: 'client_secret_post',
          pkce: true,
        }),
        'client-b': idp.settings({
          clientId: 'client-b',
          fallback: true,
          scopes: ['email'],
          tokenEndpointAuthMethod: 'client_secret_basic',
          pkce: false,
        }),
      };
      // The IdP mints each token for whichever client asked, so only the app's own checks decide.
      idp.onToken = async (request, self) => ({
        access_token: 'at-1',
        token_type: 'Bearer',
        id_token: await self.signRsa(
          self.claims(request, { aud: clientOf(request), sub: `s-${clientOf(request)}` }),
        ),
      });
      await putSettings(t, admin, { method: 'oidc', oidc: variants['client-a'] });
      const before = idp.tokenRequests.length;
      const logins = Array.from({ length: 40 }, (_, i) =>
        new Promise((resolve) => setTimeout(resolve, i * 15)).then(() =>
          signIn(t.baseUrl, { accept: 'application/json' }),
        ),
      );
      const updates = Array.from({ length: 8 }, (_, i) =>
        new Promise((resolve) => setTimeout(resolve, 40 + i * 70)).then(() =>
          putSettings(t, admin, {
            method: 'oidc',
            oidc: variants[i % 2 === 0 ? 'client-b' : 'client-a'],
          }),
        ),
      );
      const [results] = await Promise.all([Promise.all(logins), Promise.all(updates)]);
      const outcomes = results.map((r) =>
        r.callback.status === 302 ? 'ok' : (r.callback.json as { error: string }).error,
      );
      const counts = outcomes.reduce<Record<string, number>>(
        (all, o) => ({ ...all, [o]: (all[o] ?? 0) + 1 }),
        {},
      );
      console.log(`[hardening] logins racing settings updates: ${JSON.stringify(counts)}`);
      // A login started under other settings is refused as a whole, never half-applied.
      expect(outcomes.filter((o) => o !== 'ok' && o !== 'state_expired')).toEqual([]);
      expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThan(0);
      for (const request of idp.tokenRequests.slice(before)) {
        const authorizedFor = request.authorize.params.get('client_id') ?? '';
        const variant = authorizedFor === 'client-a' ? 'a' : 'b';
        expect(clientOf(request)).toBe(authorizedFor);
        expect(request.authorize.params.get('scope')).toBe(
          variant === 'a' ? 'openid profile' : 'openid email',
        );
        expect(!!request.form.get('code_verifier')).toBe(variant === 'a');
        expect(!!request.authorization).toBe(variant === 'b');
      }
      // Every session of these logins belongs to the subject its own client produced.
      for (const result of results.filter((r) => r.callback.status === 302)) {
        const me = await call(`${t.baseUrl}/api/v1/auth/me`, {
          headers: { cookie: `auth_session=${result.sessionToken}` },
        });
        expect(me.status).toBe(200);
      }
    },
    LOAD_BOUND_MS,
  );

  it(
    'parallel back-channel logouts with one jti revoke once; the rest are refused',
    async () => {
      await putSettings(t, admin, { method: 'oidc', oidc: idp.settings({ fallback: true }) });
      idp.onToken = async (request, self) => ({
        access_token: 'at-1',
        token_type: 'Bearer',
        id_token: await self.signRsa(
          self.claims(request, { sub: 'bc-sub', sid: 'bc-sid', preferred_username: 'bc.user' }),
        ),
      });
      const sessions = await Promise.all(
        Array.from({ length: 3 }, () => signIn(t.baseUrl, { accept: 'application/json' })),
      );
      for (const s of sessions) expect(s.sessionToken).toBeTruthy();
      const now = Math.floor(Date.now() / 1000);
      const jti = randomUUID();
      const token = await idp.signRsa(
        {
          iss: idp.issuer,
          aud: idp.clientId,
          iat: now,
          exp: now + 60,
          jti,
          sid: 'bc-sid',
          events: { [LOGOUT_EVENT]: {} },
        },
        { header: { typ: 'logout+jwt' } },
      );
      const answers = await Promise.all(
        Array.from({ length: 25 }, () =>
          call(`${t.baseUrl}/api/v1/backchannelLogout`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ logout_token: token }).toString(),
          }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 400)).toHaveLength(24);
      for (const refused of answers.filter((a) => a.status === 400))
        expect((refused.json as { error: string }).error).toBe('invalid_request');
      const rows = await db.query('SELECT 1 FROM auth_logout_jti WHERE jti = $1', [jti]);
      expect(rows.rowCount).toBe(1);
      const log = await db.query<{ success: boolean; reason: string }>(
        `SELECT success, reason FROM auth_log WHERE method = 'backchannel' ORDER BY created_at`,
      );
      expect(log.rows.filter((row) => row.success)).toHaveLength(1);
      expect(log.rows.filter((row) => row.reason === 'logout_token_replayed')).toHaveLength(24);
      for (const s of sessions) {
        const me = await call(`${t.baseUrl}/api/v1/auth/me`, {
          headers: { cookie: `auth_session=${s.sessionToken}` },
        });
        expect(me.status).toBe(401);
      }
    },
    LOAD_BOUND_MS,
  );

  it('wrote no token, secret or password to the logs meanwhile', () => {
    const text = t.logs.text();
    for (const secret of [idp.clientSecret, admin, t.adminPassword])
      expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/); // no compact JWT
  });
});
