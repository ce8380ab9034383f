import type { ResolvedAuthOptions } from '../auth-options.js';

/** The binding cookie of test sign-ins: its own name beside the login-state cookie's. */
export function testCookieName(options: Pick<ResolvedAuthOptions, 'stateCookieName'>): string {
  return `${options.stateCookieName}_test`;
}

/** One cookie of the request, read from the `Cookie` header (works on Express and Fastify). */
export function readCookie(
  request: { headers: Record<string, unknown> },
  name: string,
): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

type HeaderSink = {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
};

/** Sets the binding cookie: HttpOnly, SameSite=Lax (sent on the IdP's top-level redirect back). */
export function setTestCookie(
  response: HeaderSink,
  options: Pick<ResolvedAuthOptions, 'stateCookieName' | 'secureCookies'>,
  value: string,
  maxAgeSeconds: number,
): void {
  const attributes = [
    `${testCookieName(options)}=${value}`,
    'Path=/',
    `Max-Age=${maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secureCookies ? ['Secure'] : []),
  ];
  const line = attributes.join('; ');
  if (typeof response.header === 'function') response.header('Set-Cookie', line);
  else response.setHeader?.('Set-Cookie', line);
}
