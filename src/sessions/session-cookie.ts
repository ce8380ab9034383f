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

const BEARER = 'bearer';

/** `Bearer` followed by a space or tab, in any letter case. */
function isBearerScheme(header: string): boolean {
  const separator = header.charCodeAt(6);
  if (separator !== 32 && separator !== 9) return false;
  for (let i = 0; i < 6; i++) {
    // ASCII letters only: setting bit 0x20 lower-cases them.
    if ((header.charCodeAt(i) | 0x20) !== BEARER.charCodeAt(i)) return false;
  }
  return true;
}

/** The session token of a request: `Authorization: Bearer` first, else the one cookie. */
export function readSessionToken(
  request: HttpRequest,
  options: ResolvedAuthOptions,
): PresentedToken | undefined {
  const header = request.headers.authorization;
  // "Bearer" is case-insensitive (RFC 6750 §2.1 via RFC 7235); checked without a regex or copy.
  if (typeof header === 'string' && isBearerScheme(header)) {
    const token = header.slice(7).trim();
    if (token) return { token, via: 'bearer' };
  }
  const cookie = readCookie(request, options.sessionCookieName);
  return cookie ? { token: cookie, via: 'cookie' } : undefined;
}
