import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthLogRetentionService } from '../../src/auth-log/auth-log-retention.service.js';
import { api, createUser, loginAsAdmin } from '../support/auth-helpers.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Entry {
  id: string;
  createdAt: string;
  method: string;
  userName: string | null;
  success: boolean;
  reason: string;
  count: number;
  lastAt: string | null;
}

describe('a bounded, searchable auth log', () => {
  let t: TestApp;
  let admin: string;
  let db: pg.Client;

  const log = async (query = ''): Promise<Entry[]> => {
    const response = await api(t, 'get', `/api/v1/admin/auth-log${query}`, admin);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as Entry[];
  };

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t);
    db = await rawClient(t.databaseUrl);
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it('10 000 refused requests leave a few rows, and the earlier password failure is findable', async () => {
    const alice = await createUser(t, admin);
    await api(t, 'post', '/api/v1/auth/login')
      .send({ username: alice.userName, password: 'not-her-password' })
      .expect(401);
    const rowsBefore = Number((await db.query('SELECT count(*) AS n FROM auth_log')).rows[0].n);

    let sent = 0;
    const statuses = new Set<number>();
    const worker = async () => {
      while (sent < 10_000) {
        sent++;
        const response = await fetch(`${t.baseUrl}/api/v1/backchannelLogout`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'logout_token=not-a-token',
        });
        statuses.add(response.status);
        await response.arrayBuffer();
      }
    };
    const began = Date.now();
    await Promise.all(Array.from({ length: 16 }, worker));
    console.log(`10 000 refused back-channel requests in ${Date.now() - began} ms`);
    expect([...statuses]).toEqual([400]);

    const { rows } = await db.query<{ rows: string; total: string }>(
      `SELECT count(*) AS rows, sum(count) AS total FROM auth_log WHERE method = 'backchannel'`,
    );
    expect(Number(rows[0].total)).toBe(10_000);
    // Folded per (method, reason, user name, address) and minute: a handful of rows, not 10 000.
    expect(Number(rows[0].rows)).toBeLessThanOrEqual(12);
    const rowsAfter = Number((await db.query('SELECT count(*) AS n FROM auth_log')).rows[0].n);
    expect(rowsAfter - rowsBefore).toBeLessThanOrEqual(12);

    // The newest page is all back-channel noise; a filter finds the password failure at once.
    const found = await log(
      `?result=failure&method=password&userName=${encodeURIComponent(alice.userName)}`,
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ reason: 'invalid_credentials', success: false, count: 1 });
    const noise = await log('?method=backchannel&limit=5');
    expect(noise.some((entry) => entry.count > 1)).toBe(true);
    expect(noise.every((entry) => entry.method === 'backchannel' && !entry.success)).toBe(true);
  }, 600_000); // 10 000 requests on a shared 2-core machine: bounded by the work, not a clock

  it('a folded row of five failures counts five for the throttle', async () => {
    const bob = await createUser(t, admin);
    for (let i = 0; i < 5; i++)
      await api(t, 'post', '/api/v1/auth/login')
        .send({ username: bob.userName, password: `wrong-${i}` })
        .expect(401);
    const { rows } = await db.query<{ count: number }>(
      `SELECT count FROM auth_log WHERE user_name = $1 AND reason = 'invalid_credentials'`,
      [bob.userName],
    );
    expect(rows).toEqual([{ count: 5 }]);
    const refused = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: bob.userName, password: bob.password })
      .expect(429);
    expect(refused.body.error).toBe('too_many_attempts');
  });

  it('filters by result, reason and time, and pages with a stable cursor', async () => {
    const successes = await log('?result=success');
    expect(successes.length).toBeGreaterThan(0);
    expect(successes.every((entry) => entry.success)).toBe(true);
    const throttled = await log('?reason=too_many_attempts');
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((entry) => entry.reason === 'too_many_attempts')).toBe(true);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await log(`?since=${future}`)).toEqual([]);
    const all = await log('?limit=1000');
    expect(await log(`?until=${future}&limit=1000`)).toEqual(all);

    const paged: Entry[] = [];
    let before = '';
    for (;;) {
      const page = await log(`?limit=3${before ? `&before=${before}` : ''}`);
      paged.push(...page);
      if (page.length < 3) break;
      before = page[page.length - 1].id;
    }
    expect(paged.map((entry) => entry.id)).toEqual(all.map((entry) => entry.id));
  });

  it.each([
    ['result=maybe', 'result'],
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1001', 'limit'],
    ['before=not-an-id', 'before'],
    ['before=00000000-0000-4000-8000-000000000000', 'before'],
    ['since=yesterday', 'since'],
    ['until=2026-13-45T99:00:00Z', 'until'],
    ['method=Pass%20word', 'method'],
    ['userName=a&userName=b', 'userName'],
    ['since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z', 'until'],
  ])('answers 400 validation_failed for %s', async (query, field) => {
    const response = await api(t, 'get', `/api/v1/admin/auth-log?${query}`, admin);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('validation_failed');
    expect(Object.keys(response.body.fields as object)).toEqual([field]);
  });

  it('the retention clean-up deletes old entries in batches, one instance at a time', async () => {
    await db.query(
      `INSERT INTO auth_log (method, user_name, ip_address, success, reason, created_at)
       SELECT 'password', 'old', '10.9.9.9', false, 'invalid_credentials', now() - interval '91 days'
         FROM generate_series(1, 12000)`,
    );
    const kept = Number(
      (await db.query(`SELECT count(*) AS n FROM auth_log WHERE user_name IS DISTINCT FROM 'old'`))
        .rows[0].n,
    );
    const second = await startTestApp({
      databaseUrl: t.databaseUrl,
      secretKey: t.secretKey,
      adminPassword: t.adminPassword,
    });
    try {
      const deleted = await Promise.all([
        t.app.get(AuthLogRetentionService).purge(),
        second.app.get(AuthLogRetentionService).purge(),
      ]);
      expect(deleted[0] + deleted[1]).toBe(12000);
    } finally {
      await second.close();
    }
    const { rows } = await db.query<{ old: string; rest: string }>(
      `SELECT count(*) FILTER (WHERE user_name = 'old') AS old,
              count(*) FILTER (WHERE user_name IS DISTINCT FROM 'old') AS rest FROM auth_log`,
    );
    expect(Number(rows[0].old)).toBe(0);
    expect(Number(rows[0].rest)).toBeGreaterThanOrEqual(kept);
  });
});
