import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionCache } from '../../src/sessions/session-cache.js';
import { SessionChangeListener } from '../../src/sessions/session-change.listener.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sessionStatus, within } from '../support/session-polling.js';

describe('sessions across two instances sharing one database', () => {
  let a: TestApp;
  let b: TestApp;
  let db: pg.Client;
  let userId: string;

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ databaseUrl: a.databaseUrl, secretKey: a.secretKey });
    db = await rawClient(a.databaseUrl);
    const user = await a.app
      .get(UsersService)
      .create({ userName: 'multi', password: 'pw-multi-1' });
    userId = user.id;
  });

  afterAll(async () => {
    await db?.end();
    await b?.close();
    await a?.close();
  });

  async function newSession(): Promise<string> {
    return (await a.app.get(SessionsService).create(userId, 'password')).token;
  }

  /** Uses the session on B twice, so B has it cached and serves the second one from memory. */
  async function cacheOnB(token: string): Promise<void> {
    const cache = b.app.get(SessionCache);
    expect(await sessionStatus(b, token)).toBe(200);
    const hits = cache.stats().hits;
    expect(await sessionStatus(b, token)).toBe(200);
    expect(cache.stats().hits).toBe(hits + 1);
  }

  it('serves a cached session without reading the database again', async () => {
    const token = await newSession();
    await cacheOnB(token);
  });

  it('refuses on B within one second a session logged out through A, after B cached it', async () => {
    const token = await newSession();
    await cacheOnB(token);
    const logout = await fetch(`${a.baseUrl}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(logout.status).toBe(200);
    const started = Date.now();
    expect(await within(1000, async () => (await sessionStatus(b, token)) === 401)).toBe(true);
    expect(Date.now() - started).toBeLessThanOrEqual(1000);
    expect(await sessionStatus(a, token)).toBe(401);
  });

  it('refuses on B within one second after revokeAllOfUser on A', async () => {
    const first = await newSession();
    const second = await newSession();
    await cacheOnB(first);
    await cacheOnB(second);
    expect(await a.app.get(SessionsService).revokeAllOfUser(userId)).toBeGreaterThanOrEqual(2);
    expect(await within(1000, async () => (await sessionStatus(b, first)) === 401)).toBe(true);
    expect(await sessionStatus(b, second)).toBe(401);
  });

  it('refuses on B within one second when the user is deactivated in the database', async () => {
    const token = await newSession();
    await cacheOnB(token);
    await db.query('UPDATE auth_user SET is_active = false WHERE id = $1', [userId]);
    try {
      expect(await within(1000, async () => (await sessionStatus(b, token)) === 401)).toBe(true);
    } finally {
      await db.query('UPDATE auth_user SET is_active = true WHERE id = $1', [userId]);
    }
  });

  it('shows a user change on B within one second (invalidateUser)', async () => {
    const token = await newSession();
    await cacheOnB(token);
    const hello = async (): Promise<string> => {
      const response = await fetch(`${b.baseUrl}/api/v1/hello/me`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      return ((await response.json()) as { hello: string }).hello;
    };
    expect(await hello()).toBe('multi');
    // Bypass the trigger so only the explicit invalidation can tell B.
    await db.query('BEGIN');
    await db.query('ALTER TABLE auth_user DISABLE TRIGGER auth_user_changed');
    await db.query("UPDATE auth_user SET user_name = 'multi-renamed' WHERE id = $1", [userId]);
    await db.query('ALTER TABLE auth_user ENABLE TRIGGER auth_user_changed');
    await db.query('COMMIT');
    expect(await hello()).toBe('multi'); // still cached: proves the cache is in use
    await a.app.get(SessionsService).invalidateUser(userId);
    expect(await within(1000, async () => (await hello()) === 'multi-renamed')).toBe(true);
    await db.query("UPDATE auth_user SET user_name = 'multi' WHERE id = $1", [userId]);
  });

  it('falls back to the database when the listener drops, and recovers', async () => {
    const listener = b.app.get(SessionChangeListener);
    const before = listener.status();
    expect(before.listening).toBe(true);
    const token = await newSession();
    await cacheOnB(token);
    const terminated = await db.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [
      before.pid,
    ]);
    expect(terminated.rows[0].ok).toBe(true);
    // Revoked while B's listener is gone: B must not serve its cached copy.
    await a.app
      .get(SessionsService)
      .revoke((await a.app.get(SessionsService).authenticate(token)).session.id);
    expect(await within(1000, async () => (await sessionStatus(b, token)) === 401)).toBe(true);
    // It reconnects with backoff, on a new backend, and caches again.
    expect(
      await within(10_000, () => {
        const now = listener.status();
        return Promise.resolve(
          now.listening && now.connections > before.connections && now.pid !== before.pid,
        );
      }),
    ).toBe(true);
    expect(b.logs.text()).toContain('Session change listener lost');
    const fresh = await newSession();
    await cacheOnB(fresh);
    await a.app.get(SessionsService).revokeAllOfUser(userId);
    expect(await within(1000, async () => (await sessionStatus(b, fresh)) === 401)).toBe(true);
  });

  it('closes the listener with the app (close does not hang)', async () => {
    const c = await startTestApp({ databaseUrl: a.databaseUrl, secretKey: a.secretKey });
    const pid = c.app.get(SessionChangeListener).status().pid;
    expect(pid).toBeTypeOf('number');
    await c.close();
    const left = await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
    expect(
      left.rowCount === 0 ||
        (await within(2000, async () => {
          const again = await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
          return again.rowCount === 0;
        })),
    ).toBe(true);
  });
});
