// Drives the app's OIDC login against the token-crafting IdP (whose /authorize redirects at once).
import { expect } from 'vitest';
import { type Answer, call, cookieHeader, cookiesOf } from './http.js';

export interface StartedLogin {
  /** Login-state cookie(s) the app set. */
  cookies: Record<string, string>;
  /** The IdP authorization URL the app redirected to. */
  authorizeUrl: URL;
  state: string;
  start: Answer;
}

export async function startLogin(baseUrl: string, returnTo?: string): Promise<StartedLogin> {
  const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const start = await call(`${baseUrl}/api/v1/auth/oidc/login${query}`);
  expect(start.status, start.text).toBe(302);
  const authorizeUrl = new URL(start.headers.get('location') ?? '');
  return {
    cookies: cookiesOf(start),
    authorizeUrl,
    state: authorizeUrl.searchParams.get('state') ?? '',
    start,
  };
}

/** The callback URL the IdP sends the browser back to (with code and state). */
export async function authorizeAtIdp(login: StartedLogin): Promise<string> {
  const answer = await call(login.authorizeUrl.href);
  expect(answer.status).toBe(302);
  return answer.headers.get('location') ?? '';
}

export interface FinishedLogin {
  callback: Answer;
  sessionToken: string | undefined;
  login: StartedLogin;
}

/** A whole sign-in: start, IdP, callback (as a JSON client unless `accept` says otherwise). */
export async function signIn(
  baseUrl: string,
  options: { returnTo?: string; accept?: string; sessionCookieName?: string } = {},
): Promise<FinishedLogin> {
  const login = await startLogin(baseUrl, options.returnTo);
  const callbackUrl = await authorizeAtIdp(login);
  const callback = await call(callbackUrl, {
    headers: {
      cookie: cookieHeader(login.cookies),
      accept: options.accept ?? 'text/html',
    },
  });
  return {
    callback,
    sessionToken: cookiesOf(callback)[options.sessionCookieName ?? 'auth_session'],
    login,
  };
}
