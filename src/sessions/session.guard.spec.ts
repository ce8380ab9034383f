import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { resolveAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import type { AuthRequest, AuthRequestState } from '../common/request-context.js';
import { IS_PUBLIC } from './public.decorator.js';
import { SessionGuard } from './session.guard.js';
import type { SessionsService } from './sessions.service.js';

const options = resolveAuthOptions({
  siteUrl: 'https://app.example.test',
  secretKey: '0'.repeat(64),
});

const state = {
  user: { id: 'u1', userName: 'ann', isAdmin: false },
  session: { id: 's1' },
  token: 'good-token',
} as unknown as AuthRequestState;

const sessions = {
  authenticateCached: (token: string) => (token === 'good-token' ? state : undefined),
  authenticate: (token: string) =>
    token === 'good-token'
      ? Promise.resolve(state)
      : Promise.reject(new AuthError('unauthenticated', 'Sign in first.')),
} as unknown as SessionsService;

function handler(isPublic: boolean): () => void {
  const fn = (): void => undefined;
  if (isPublic) Reflect.defineMetadata(IS_PUBLIC, true, fn);
  return fn;
}

/** A fake ExecutionContext of the given type; `args` are what Nest would pass. */
function contextOf(type: string, args: unknown[], isPublic = false): ExecutionContext {
  const fn = handler(isPublic);
  class Target {}
  return {
    getType: () => type,
    getHandler: () => fn,
    getClass: () => Target,
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
    switchToHttp: () => ({
      getRequest: () => args[0],
      getResponse: () => args[1],
      getNext: () => args[2],
    }),
    switchToRpc: () => ({ getData: () => args[0], getContext: () => args[1] }),
    switchToWs: () => ({ getClient: () => args[0], getData: () => args[1] }),
  } as unknown as ExecutionContext;
}

function request(authorization?: string): AuthRequest {
  return { headers: authorization ? { authorization } : {}, method: 'POST' };
}

const guard = new SessionGuard(new Reflector(), sessions, options);

describe('SessionGuard by context type', () => {
  it('http: a Bearer session puts the user on req.user and the session on req.auth', () => {
    const req = request('Bearer good-token');
    expect(guard.canActivate(contextOf('http', [req, {}]))).toBe(true);
    expect(req.user).toBe(state.user);
    expect(req.auth).toBe(state);
  });

  it('http: no token is refused with unauthenticated', () => {
    expect(() => guard.canActivate(contextOf('http', [request(), {}]))).toThrow(AuthError);
  });

  it('graphql over HTTP: the request of the GraphQL context (args[2].req) is checked like HTTP', async () => {
    const req = request('Bearer good-token');
    const args = [{}, {}, { req }, {}];
    expect(await guard.canActivate(contextOf('graphql', args))).toBe(true);
    expect(req.user).toBe(state.user);
    expect(() => guard.canActivate(contextOf('graphql', [{}, {}, { req: request() }, {}]))).toThrow(
      AuthError,
    );
    await expect(
      guard.canActivate(contextOf('graphql', [{}, {}, { req: request('Bearer bad') }, {}])),
    ).rejects.toBeInstanceOf(AuthError);
  });

  it('graphql without an HTTP request in its context is refused', () => {
    expect(guard.canActivate(contextOf('graphql', [{}, {}, {}, {}]))).toBe(false);
  });

  it('ws and rpc: refused unless @Public() (they carry no HTTP session)', () => {
    const wsClient = { handshake: { headers: { authorization: 'Bearer good-token' } } };
    expect(guard.canActivate(contextOf('ws', [wsClient, {}]))).toBe(false);
    expect(guard.canActivate(contextOf('rpc', [{}, {}]))).toBe(false);
    expect(guard.canActivate(contextOf('ws', [wsClient, {}], true))).toBe(true);
    expect(guard.canActivate(contextOf('rpc', [{}, {}], true))).toBe(true);
  });

  it('a cookie state change from a foreign Origin is refused', () => {
    const req: AuthRequest = {
      headers: { cookie: 'auth_session=good-token', origin: 'https://evil.example' },
      method: 'POST',
    };
    expect(() => guard.canActivate(contextOf('http', [req, {}]))).toThrow(/Cross-site/);
  });
});
