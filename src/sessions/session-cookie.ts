import type { ResolvedAuthOptions } from '../auth-options.js';
import {
  clearCookie,
  type CookieOptions,
  type HttpRequest,
  type HttpResponse,
  readCookie,
  setCookie,
} from '../common/http.js';

function sessionCookieOptions(options: ResolvedAuthOptions): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, path: '/' };
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when the site is https. */
export function setSessionCookie(
  response: HttpResponse,
  options: ResolvedAuthOptions,
  token: string,
  expires: Date,
): void {
  setCookie(response, options.sessionCookieName, token, {
    ...sessionCookieOptions(options),
    expires,
  });
}

export function clearSessionCookie(response: HttpResponse, options: ResolvedAuthOptions): void {
  clearCookie(response, options.sessionCookieName, sessionCookieOptions(options));
}

export interface PresentedToken {
  token: string;
  via: 'bearer' | 'cookie';
}

/** The session token of a request: `Authorization: Bearer` first, else the one cookie. */
export function readSessionToken(
  request: HttpRequest,
  options: ResolvedAuthOptions,
): PresentedToken | undefined {
  const header = request.headers.authorization;
  // "Bearer" is case-insensitive (RFC 6750 §2.1 via RFC 7235); checked without a regex.
  if (typeof header === 'string' && (header[6] === ' ' || header[6] === '\t')) {
    if (header.slice(0, 6).toLowerCase() === 'bearer') {
      const token = header.slice(7).trim();
      if (token) return { token, via: 'bearer' };
    }
  }
  const cookie = readCookie(request, options.sessionCookieName);
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}
