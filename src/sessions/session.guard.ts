import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import type { AuthRequest } from '../common/request-context.js';
import { IS_PUBLIC } from './public.decorator.js';
import type { HttpRequest } from '../common/http.js';
import { type PresentedToken, readSessionToken } from './session-cookie.js';
import { SessionsService } from './sessions.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookies ride along on cross-site requests: a foreign Origin on a state change is refused. */
export function refuseCrossSite(
  request: HttpRequest,
  presented: PresentedToken,
  siteOrigin: string,
): void {
  if (presented.via !== 'cookie' || SAFE_METHODS.has(request.method ?? 'GET')) return;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== siteOrigin)
    throw new AuthError('csrf_rejected', 'Cross-site request refused.');
}

/** The HTTP request of a context: plain HTTP, or GraphQL over HTTP (`args[2].req`). */
export function httpRequestOf(context: ExecutionContext): AuthRequest | undefined {
  const type = context.getType<string>();
  // The request is the first argument (what switchToHttp().getRequest() answers, without its closures).
  if (type === 'http') return context.getArgByIndex<AuthRequest>(0);
  if (type === 'graphql') {
    // GqlExecutionContext's layout (root, args, context, info), read without importing it.
    const graphqlContext = context.getArgs<unknown[]>()[2] as { req?: AuthRequest } | undefined;
    return graphqlContext?.req;
  }
  return undefined;
}

/**
 * Every route needs a live session unless marked `@Public()`: HTTP and GraphQL over HTTP by
 * Bearer token or cookie; other contexts (WebSocket, microservices) are refused unless public,
 * because they carry no HTTP session this guard could check. Puts the user on `req.user` and the
 * session on `req.auth`.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  private readonly origin: string;
  /** `@Public()` of each class and handler, looked up once: metadata is fixed after start-up. */
  private readonly publicHandlers = new WeakMap<object, WeakMap<object, boolean>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {
    this.origin = new URL(options.siteOrigin).origin;
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.isPublic(context)) return true;
    const request = httpRequestOf(context);
    if (!request) return false;
    // Already resolved by an earlier run of this guard (global and on the route, or Passport).
    if (request.auth) return true;
    const presented = readSessionToken(request, this.options);
    if (!presented) throw new AuthError('unauthenticated', 'Sign in first.');
    refuseCrossSite(request, presented, this.origin);
    // A cached session is answered synchronously: no promise on the hot path.
    const cached = this.sessions.authenticateCached(presented.token);
    if (cached) {
      request.auth = cached;
      request.user = cached.user;
      return true;
    }
    return this.sessions.authenticate(presented.token).then((state) => {
      request.auth = state;
      request.user = state.user;
      return true;
    });
  }

  private isPublic(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    const owner = context.getClass();
    // By class, then handler: one inherited handler can serve a public and a guarded class.
    let byHandler = this.publicHandlers.get(owner);
    if (!byHandler) this.publicHandlers.set(owner, (byHandler = new WeakMap()));
    let known = byHandler.get(handler);
    if (known === undefined) {
      known = !!this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [handler, owner]);
      byHandler.set(handler, known);
    }
    return known;
  }
}
