import { describe, expect, it } from 'vitest';
import type { ResolvedAuthOptions } from '../../src/auth-options.js';
import { type CachedSession, SessionCache } from '../../src/sessions/session-cache.js';

const options = { sessionCacheSeconds: 30 } as ResolvedAuthOptions;

function entry(sessionId: string, userId: string, expiresInMs = 3_600_000): CachedSession {
  return {
    user: {
      id: userId,
      userName: `user-${userId}`,
      isAdmin: false,
      isActive: true,
      emailAddress: null,
      phoneNumber: null,
      firstName: null,
      middleName: null,
      lastName: null,
    },
    session: {
      id: sessionId,
      method: 'password',
      userId,
      idpIssuer: null,
      idpSubject: null,
      idpSid: null,
      expiresAt: new Date(Date.now() + expiresInMs),
    },
  };
}

function enabledCache(): SessionCache {
  const cache = new SessionCache(options);
  cache.enable();
  return cache;
}

describe('SessionCache', () => {
  it('serves a stored session until its TTL', () => {
    const cache = enabledCache();
    const now = Date.now();
    cache.set('h1', entry('s1', 'u1'), cache.ticket(), now);
    expect(cache.get('h1', now + 29_000)?.session.id).toBe('s1');
    expect(cache.get('h1', now + 30_001)).toBeUndefined();
    expect(cache.stats().size).toBe(0);
  });

  it('never keeps an entry past the session expiry', () => {
    const cache = enabledCache();
    const now = Date.now();
    cache.set('h1', entry('s1', 'u1', 5_000), cache.ticket(), now);
    expect(cache.get('h1', now + 4_000)).toBeDefined();
    expect(cache.get('h1', now + 5_001)).toBeUndefined();
  });

  it('bypasses everything while disabled (listener down)', () => {
    const cache = enabledCache();
    cache.set('h1', entry('s1', 'u1'), cache.ticket());
    cache.disable();
    expect(cache.get('h1')).toBeUndefined();
    cache.set('h2', entry('s2', 'u1'), cache.ticket());
    expect(cache.stats()).toMatchObject({ enabled: false, size: 0 });
    cache.enable();
    expect(cache.get('h1')).toBeUndefined();
  });

  it('drops by session and by user', () => {
    const cache = enabledCache();
    cache.set('h1', entry('s1', 'u1'), cache.ticket());
    cache.set('h2', entry('s2', 'u1'), cache.ticket());
    cache.set('h3', entry('s3', 'u2'), cache.ticket());
    cache.dropSession('s1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toBeDefined();
    cache.dropUser('u1');
    expect(cache.get('h2')).toBeUndefined();
    expect(cache.get('h3')?.user.id).toBe('u2');
  });

  it('does not store a database read that raced an invalidation', () => {
    const cache = enabledCache();
    const ticket = cache.ticket();
    cache.dropSession('s1'); // the revocation arrives while the read is in flight
    cache.set('h1', entry('s1', 'u1'), ticket);
    expect(cache.get('h1')).toBeUndefined();
  });
});
