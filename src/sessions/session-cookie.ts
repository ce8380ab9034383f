import type { Request, Response } from 'express';
import type { ResolvedAuthOptions } from '../auth-options.js';

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when the site is https. */
export function setSessionCookie(
  response: Response,
  options: ResolvedAuthOptions,
  token: string,
  expires: Date,
): void {
  response.cookie(options.sessionCookieName, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secureCookies,
    path: '/',
    expires,
  });
}

export function clearSessionCookie(response: Response, options: ResolvedAuthOptions): void {
  response.clearCookie(options.sessionCookieName, {
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secureCookies,
    path: '/',
  });
}

export interface PresentedToken {
  token: string;
  via: 'bearer' | 'cookie';
}

/** The session token of a request: `Authorization: Bearer` first, else the cookie. */
export function readSessionToken(
  request: Request,
  options: ResolvedAuthOptions,
): PresentedToken | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && /^Bearer\s+/i.test(header)) {
    const token = header.replace(/^Bearer\s+/i, '').trim();
    if (token) return { token, via: 'bearer' };
  }
  const cookies = (request as Request & { cookies?: Record<string, unknown> }).cookies;
  const cookie: unknown = cookies?.[options.sessionCookieName];
  return typeof cookie === 'string' && cookie ? { token: cookie, via: 'cookie' } : undefined;
}
