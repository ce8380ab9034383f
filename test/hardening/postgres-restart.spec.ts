// Postgres restarted under load, on this file's own embedded server (never the shared one):
// in-flight requests fail with 503 at worst, the app recovers by itself, nothing is half-written.
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EmbeddedPostgresHandle,
  freePort,
  startEmbeddedPostgres,
} from '../../src/demo/embedded-postgres.js';
import { SessionChangeListener } from '../../src/sessions/session-change.listener.js';
import { createTeam, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { call, cookieHeader, cookiesOf } from './support/http.js';

const userNameFor = (nonce: string) =>
  `u-${createHash('sha256').update(nonce).digest('hex').slice(0, 12)}`;

describe('Postgres restarted while requests run', () => {
  let folder: string;
  let port: number;
  let server: EmbeddedPostgresHandle;
  let databaseUrl: string;
  let t: TestApp;
  let idp: CraftedIdp;
  let admin: string;
  let teams: { id: string }[];

  const startServer = () => startEmbeddedPostgres({ dataDir: join(folder, 'data'), port });

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'auth-hardening-pg-'));
    chmodSync(folder, 0o755); // the postgres system user must reach it
    port = await freePort();
    server = await startServer();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('CREATE DATABASE restart_test');
    await client.end();
    const url = new URL(server.url);
    url.pathname = '/restart_test';
    databaseUrl = url.toString();
    t = await startTestApp({ databaseUrl });
    idp = await startCraftedIdp();
    admin = await loginAsAdmin(t);
    teams = [await createTeam(t, admin), await createTeam(t, admin)];
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: idp.settings({
        fallback: true,
        groupClaim: 'groups',
        teamMapping: [
          { teamId: teams[0].id, group: 'g1' },
          { teamId: teams[1].id, group: '' },
        ],
      }),
    });
    // Every login is a first login of its own new user (named after its nonce).
    idp.onToken = async (request, self) => {
      const name = userNameFor(request.authorize.nonce ?? '');
      return {
        access_token: 'at-1',
        token_type: 'Bearer',
        id_token: await self.signRsa(
          self.claims(request, { sub: name, preferred_username: name, groups: ['g1'] }),
        ),
      };
    };
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await idp?.stop();
    await server?.stop().catch(() => undefined);
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  interface Outcome {
    step: 'start' | 'callback' | 'password';
    status: number;
    code: string;
    userName?: string;
    sessionToken?: string;
  }

  /** One OIDC first login, reporting where and how it ended. */
  const attempt = async (): Promise<Outcome> => {
    const start = await call(`${t.baseUrl}/api/v1/auth/oidc/login`);
    if (start.status !== 302)
      return {
        step: 'start',
        status: start.status,
        code: (start.json as { error?: string })?.error ?? '',
      };
    const authorize = new URL(start.headers.get('location') ?? '');
    const userName = userNameFor(authorize.searchParams.get('nonce') ?? '');
    const back = await call(authorize.href);
    const callback = await call(back.headers.get('location') ?? '', {
      headers: { cookie: cookieHeader(cookiesOf(start)), accept: 'application/json' },
    });
    if (callback.status === 302)
      return {
        step: 'callback',
        status: 302,
        code: 'ok',
        userName,
        sessionToken: cookiesOf(callback).auth_session,
      };
    return {
      step: 'callback',
      status: callback.status,
      code: (callback.json as { error?: string })?.error ?? '',
      userName,
    };
  };

  it('fails in-flight requests with 503 at most, recovers by itself, and writes no half user', async () => {
    const outcomes: Outcome[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          outcomes.push(await attempt());
        } catch (error) {
          outcomes.push({ step: 'start', status: 0, code: `thrown: ${(error as Error).message}` });
        }
      }
    };
    const passwordWorker = async () => {
      while (running) {
        const answer = await call(`${t.baseUrl}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: t.adminUserName, password: t.adminPassword }),
        }).catch((error: Error) => ({ status: 0, json: { error: `thrown: ${error.message}` } }));
        outcomes.push({
          step: 'password',
          status: answer.status,
          code: answer.status === 200 ? 'ok' : ((answer.json as { error?: string })?.error ?? ''),
        });
      }
    };
    const workers = [
      ...Array.from({ length: 4 }, () => worker()),
      passwordWorker(),
      passwordWorker(),
    ];
    await new Promise((resolve) => setTimeout(resolve, 400));
    await server.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    server = await startServer();
    // It recovers without any help: a full login works again within a bounded wait.
    let recovered = false;
    const deadline = Date.now() + 30_000;
    while (!recovered && Date.now() < deadline) {
      const check = await attempt();
      recovered = check.code === 'ok';
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(workers);
    expect(recovered).toBe(true);

    const summary = outcomes.reduce<Record<string, number>>((all, o) => {
      const key = `${o.step} ${o.status} ${o.code}`;
      return { ...all, [key]: (all[key] ?? 0) + 1 };
    }, {});
    console.log(`[hardening] logins across a Postgres restart: ${JSON.stringify(summary)}`);
    const unexpected = outcomes.filter(
      (o) => o.code !== 'ok' && !(o.status === 503 && o.code === 'service_unavailable'),
    );
    // On failure, the server-side reason of any 5xx is in the message.
    const serverErrors = t.logs.lines
      .filter((line) => /callback failed|internal_error/.test(line))
      .map((line) => line.slice(0, 400));
    expect(
      unexpected.map((o) => `${o.step} ${o.status} ${o.code}`),
      serverErrors.join('\n'),
    ).toEqual([]);
    expect(outcomes.filter((o) => o.code === 'service_unavailable').length).toBeGreaterThan(0);

    // No user exists without the teams of the login that created it.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const users = await db.query<{ user_name: string; teams: string[] | null }>(
        `SELECT u.user_name, array_agg(m.team_id::text) FILTER (WHERE m.team_id IS NOT NULL) AS teams
           FROM auth_user u LEFT JOIN auth_team_membership m ON m.user_id = u.id
          WHERE u.user_name LIKE 'u-%' GROUP BY u.user_name`,
      );
      const expected = teams.map((team) => team.id).sort();
      const partial = users.rows.filter(
        (row) => JSON.stringify([...(row.teams ?? [])].sort()) !== JSON.stringify(expected),
      );
      expect(partial.map((row) => row.user_name)).toEqual([]);
      const pending = await db.query(
        `SELECT 1 FROM auth_log WHERE method = 'password' AND message = 'Attempt in progress.'`,
      );
      console.log(`[hardening] password attempts cut off by the outage: ${pending.rowCount}`);
      // Every login that answered success left its user and a working session.
      const names = new Set(users.rows.map((row) => row.user_name));
      for (const ok of outcomes.filter((o) => o.step === 'callback' && o.code === 'ok')) {
        expect(names.has(ok.userName ?? '')).toBe(true);
        const me = await call(`${t.baseUrl}/api/v1/auth/me`, {
          headers: { cookie: `auth_session=${ok.sessionToken}` },
        });
        expect(me.status).toBe(200);
      }
    } finally {
      await db.end();
    }
    // The session change listener is back too.
    const listener = t.app.get(SessionChangeListener);
    const listenDeadline = Date.now() + 15_000;
    while (!listener.status().listening && Date.now() < listenDeadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listener.status().listening).toBe(true);
    // Attempts cut off by the outage are not wrong passwords: the admin is not locked out.
    const after = await call(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: t.adminUserName, password: t.adminPassword }),
    });
    expect(after.status, after.text).toBe(200);
    const text = t.logs.text();
    for (const secret of [idp.clientSecret, admin, t.adminPassword])
      expect(text).not.toContain(secret);
    for (const ok of outcomes.filter((o) => o.sessionToken))
      expect(text.includes(ok.sessionToken ?? '')).toBe(false);
  }, 90_000);
});
