import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { randomToken } from '../common/crypto.js';
import { type HttpRequest, type HttpResponse, readCookie, setCookie } from '../common/http.js';

/** What a valid trusted-device cookie says: this browser signed in as `userName` before. */
export interface TrustedDevice {
  userName: string;
  /** Random id of this cookie (recorded with failures, so a stolen cookie can be distrusted). */
  id: string;
  issuedAt: number;
}

const VERSION = 'v1';

/** A key of its own, derived from the module's secretKey (never the encryption key itself). */
export function deviceCookieKey(secretKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, '', 'nest-oidc-auth device cookie v1', 32));
}

function mac(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}

/** OWASP "device cookie": HMAC'd `(user name, id, issued at)`, issued at a password sign-in. */
export function issueDeviceCookie(key: Buffer, userName: string, now = Date.now()): string {
  const payload = `${VERSION}.${Buffer.from(userName).toString('base64url')}.${randomToken(12)}.${Math.floor(now / 1000)}`;
  return `${payload}.${mac(key, payload)}`;
}

/** The device named by a cookie value when its MAC is ours and it is not too old; else undefined. */
export function readDeviceCookie(
  key: Buffer,
  value: string | undefined,
  maxAgeSeconds: number,
  now = Date.now(),
): TrustedDevice | undefined {
  if (!value || value.length > 1024) return undefined;
  const parts = value.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) return undefined;
  const payload = parts.slice(0, 4).join('.');
  const expected = Buffer.from(mac(key, payload));
  const given = Buffer.from(parts[4]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const issuedAt = Number(parts[3]);
  const age = now / 1000 - issuedAt;
  if (!Number.isInteger(issuedAt) || age < -60 || age > maxAgeSeconds) return undefined;
  return { userName: Buffer.from(parts[1], 'base64url').toString(), id: parts[2], issuedAt };
}

/** The trusted-device cookie the browser sent, if any. */
export function deviceCookieOf(
  request: HttpRequest,
  options: ResolvedAuthOptions,
): string | undefined {
  return readCookie(request, options.deviceCookieName);
}

/** Sets the trusted-device cookie: HttpOnly, SameSite=Strict, `Path=/` (so `__Host-` works). */
export function setDeviceCookie(
  response: HttpResponse,
  options: ResolvedAuthOptions,
  value: string,
): void {
  setCookie(response, options.deviceCookieName, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: options.secureCookies,
    path: '/',
    maxAge: options.trustedDeviceDays * 86_400_000,
  });
}
