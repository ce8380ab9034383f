import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CachedSession,
  MAX_UNCONFIRMED_MS,
  SessionCache,
} from '../../src/sessions/session-cache.js';
import { SessionChangeListener } from '../../src/sessions/session-change.listener.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { UsersService } from '../../src/users/users.service.js';
import type { ResolvedAuthOptions } from '../../src/auth-options.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { sessionStatus, within } from '../support/session-polling.js';

function entry(): CachedSession {
  return {
    user: {
      id: 'u1',
      userName: 'u',
      isAdmin: false,
      isActive: true,
      emailAddress: null,
      phoneNumber: null,
      firstName: null,
      middleName: null,
      lastName: null,
    },
    session: {
      id: 's1',
      method: 'password',
      userId: 'u1',
      idpIssuer: null,
      idpSubject: null,
      idpSid: null,
      expiresAt: new Date(Date.now() + 3_600_000),
    },
  };
}

describe('session cache staleness bound', () => {
  it('stops serving entries once the listener has not confirmed for MAX_UNCONFIRMED_MS', () => {
    const cache = new SessionCache({ sessionCacheSeconds: 30 } as ResolvedAuthOptions);
    cache.enable();
    cache.set('h1', entry(), cache.ticket());
    expect(cache.get('h1')).toBeDefined();
    cache.enable(performance.now() - MAX_UNCONFIRMED_MS - 1); // last proof of life too old
    cache.set('h1', entry(), cache.ticket());
    expect(cache.get('h1')).toBeUndefined();
    cache.confirm(performance.now()); // a heartbeat answered
    expect(cache.get('h1')).toBeDefined();
    expect(MAX_UNCONFIRMED_MS).toBeLessThan(1000);
  });
});

describe('a silently dead LISTEN connection (frozen by a proxy, nothing closed)', () => {
  let a: TestApp;
  let b: TestApp;
  let proxy: TcpProxy;
  let userId: string;

  beforeAll(async () => {
    a = await startTestApp();
    const direct = new URL(a.databaseUrl);
    proxy = await startTcpProxy(direct.hostname, Number(direct.port));
    const viaProxy = new URL(a.databaseUrl);
    viaProxy.port = String(proxy.port);
    // B reaches Postgres only through the proxy, so its listener can be cut silently.
    b = await startTestApp({ databaseUrl: viaProxy.toString(), secretKey: a.secretKey });
    userId = (await a.app.get(UsersService).create({ userName: 'frozen', password: 'pw-frozen-1' }))
      .id;
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await proxy?.close();
  });

  it('refuses on B within one second a session revoked on A after B cached it', async () => {
    const { token, session } = await a.app.get(SessionsService).create(userId, 'password');
    const cache = b.app.get(SessionCache);
    expect(await sessionStatus(b, token)).toBe(200);
    const hits = cache.stats().hits;
    expect(await sessionStatus(b, token)).toBe(200);
    expect(cache.stats().hits).toBe(hits + 1); // served from B's memory
    const before = b.app.get(SessionChangeListener).status();
    expect(proxy.freeze('auth-session-listener')).toBe(1);
    const revokedAt = Date.now();
    await a.app.get(SessionsService).revoke(session.id);
    // The NOTIFY is lost in the frozen connection: only the heartbeat bound can save us.
    expect(await within(1000, async () => (await sessionStatus(b, token)) === 401)).toBe(true);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(1100);
    // The dead connection is detected and replaced by a fresh one, which caches again.
    const listener = b.app.get(SessionChangeListener);
    expect(
      await within(5000, () =>
        Promise.resolve(
          listener.status().listening && listener.status().connections > before.connections,
        ),
      ),
    ).toBe(true);
    expect(b.logs.text()).toContain('Session change listener lost');
    const fresh = await a.app.get(SessionsService).create(userId, 'password');
    expect(await sessionStatus(b, fresh.token)).toBe(200);
    const again = cache.stats().hits;
    expect(await sessionStatus(b, fresh.token)).toBe(200);
    expect(cache.stats().hits).toBe(again + 1);
  });
});
