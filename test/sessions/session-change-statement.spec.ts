// The statement-level session trigger (migration SessionChangeNotifyStatement): one NOTIFY per
// statement, whatever the number of rows, and the listener drops every session it names.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionCache } from '../../src/sessions/session-cache.js';
import { SESSION_CHANGED_CHANNEL } from '../../src/sessions/session-change.listener.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { rawClient } from '../support/test-database.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sessionStatus, within } from '../support/session-polling.js';

describe('session change notifications, one per statement', () => {
  let t: TestApp;
  let db: pg.Client;
  let listener: pg.Client;
  const received: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    db = await rawClient(t.databaseUrl);
    listener = await rawClient(t.databaseUrl);
    listener.on('notification', (message) => {
      if (message.channel === SESSION_CHANGED_CHANNEL) received.push(message.payload ?? '');
    });
    await listener.query(`LISTEN ${SESSION_CHANGED_CHANNEL}`);
  });

  afterAll(async () => {
    await listener?.end();
    await db?.end();
    await t?.close();
  });

  async function user(name = `u-${randomBytes(4).toString('hex')}`): Promise<string> {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO auth_user (user_name, password_hash) VALUES ($1, '!none') RETURNING id`,
      [name],
    );
    return rows[0].id;
  }

  /** `count` live sessions of `userId` tagged `tag` (in idp_sid, to select them later). */
  async function sessions(userId: string, count: number, tag: string): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO auth_session (token_hash, user_id, method, idp_issuer, idp_subject, idp_sid, expires_at)
       SELECT md5(random()::text || n), $1, 'oidc', 'https://idp.test', 'sub', $2,
              now() + interval '1 hour'
         FROM generate_series(1, $3::int) AS n RETURNING id`,
      [userId, tag, count],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Runs `statement`, then answers every notification it caused. A marker notification is
   * sent after it: notifications arrive in commit order, so once the marker is in, all are.
   */
  async function notificationsOf(statement: () => Promise<unknown>): Promise<string[]> {
    received.length = 0;
    await statement();
    const marker = `marker-${randomBytes(4).toString('hex')}`;
    await db.query(`SELECT pg_notify($1, $2)`, [SESSION_CHANGED_CHANNEL, marker]);
    expect(await within(5_000, () => Promise.resolve(received.includes(marker)))).toBe(true);
    return received.filter((payload) => payload !== marker);
  }

  it('sends one notification listing the ten sessions revoked by one UPDATE', async () => {
    const ids = await sessions(await user(), 10, 'ten');
    const payloads = await notificationsOf(() =>
      db.query(`UPDATE auth_session SET revoked_at = now() WHERE idp_sid = 'ten'`),
    );
    expect(payloads).toHaveLength(1);
    expect(payloads[0].startsWith('ss:')).toBe(true);
    expect(payloads[0].slice(3).split(',').sort()).toEqual([...ids].sort());
  });

  it('keeps the single-session payload of the row-level trigger (s:<id>)', async () => {
    const [id] = await sessions(await user(), 1, 'one');
    const payloads = await notificationsOf(() =>
      db.query(`UPDATE auth_session SET revoked_at = now() WHERE id = $1`, [id]),
    );
    expect(payloads).toEqual([`s:${id}`]);
  });

  it('sends nothing for an update that no cached session depends on (last_seen_at)', async () => {
    await sessions(await user(), 5, 'seen');
    const payloads = await notificationsOf(() =>
      db.query(`UPDATE auth_session SET last_seen_at = now() WHERE idp_sid = 'seen'`),
    );
    expect(payloads).toEqual([]);
  });

  it('sends one notification for a DELETE of several sessions', async () => {
    const ids = await sessions(await user(), 3, 'gone');
    const payloads = await notificationsOf(() =>
      db.query(`DELETE FROM auth_session WHERE idp_sid = 'gone'`),
    );
    expect(payloads).toHaveLength(1);
    expect(payloads[0].slice(3).split(',').sort()).toEqual([...ids].sort());
  });

  it('names the users when the sessions would not fit in one payload (8000 bytes)', async () => {
    const first = await user();
    const second = await user();
    await sessions(first, 150, 'many');
    await sessions(second, 150, 'many');
    const payloads = await notificationsOf(() =>
      db.query(`UPDATE auth_session SET revoked_at = now() WHERE idp_sid = 'many'`),
    );
    expect(payloads).toHaveLength(1);
    expect(payloads[0].startsWith('uu:')).toBe(true);
    expect(payloads[0].slice(3).split(',').sort()).toEqual([first, second].sort());
  });

  it('sends `all` when neither the sessions nor their users fit', async () => {
    for (let i = 0; i < 210; i++) await sessions(await user(), 1, 'spread');
    const payloads = await notificationsOf(() =>
      db.query(`UPDATE auth_session SET revoked_at = now() WHERE idp_sid = 'spread'`),
    );
    expect(payloads).toEqual(['all']);
  });

  describe('the listener drops what each payload names', () => {
    let userId: string;

    beforeAll(async () => {
      userId = (
        await t.app.get(UsersService).create({ userName: 'cached', password: 'pw-cached-1' })
      ).id;
    });

    async function cached(count: number): Promise<{ tokens: string[]; ids: string[] }> {
      const tokens: string[] = [];
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const { token, session } = await t.app.get(SessionsService).create(userId, 'password');
        expect(await sessionStatus(t, token)).toBe(200);
        tokens.push(token);
        ids.push(session.id);
      }
      const hits = t.app.get(SessionCache).stats().hits;
      for (const token of tokens) expect(await sessionStatus(t, token)).toBe(200);
      expect(t.app.get(SessionCache).stats().hits).toBe(hits + count);
      return { tokens, ids };
    }

    async function allRefused(tokens: string[]): Promise<boolean> {
      return within(1000, async () => {
        for (const token of tokens) if ((await sessionStatus(t, token)) !== 401) return false;
        return true;
      });
    }

    it('ss: every listed session is refused within a second', async () => {
      const { tokens, ids } = await cached(3);
      await db.query(`UPDATE auth_session SET revoked_at = now() WHERE id = ANY($1::uuid[])`, [
        ids,
      ]);
      expect(await allRefused(tokens)).toBe(true);
    });

    it('uu: and all: the sessions are refused within a second', async () => {
      const first = await cached(2);
      // Pad the statement beyond one payload of ids: the users are named instead.
      const padding = await sessions(userId, 250, 'pad-uu');
      await db.query(`UPDATE auth_session SET revoked_at = now() WHERE id = ANY($1::uuid[])`, [
        [...first.ids, ...padding],
      ]);
      expect(await allRefused(first.tokens)).toBe(true);

      const second = await cached(2);
      const others: string[] = [];
      for (let i = 0; i < 210; i++) others.push(...(await sessions(await user(), 1, 'pad-all')));
      await db.query(`UPDATE auth_session SET revoked_at = now() WHERE id = ANY($1::uuid[])`, [
        [...second.ids, ...others],
      ]);
      expect(await allRefused(second.tokens)).toBe(true);
    });
  });
});
