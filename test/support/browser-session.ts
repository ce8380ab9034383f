// A tiny cookie-keeping HTTP client that walks redirects like a browser, to drive real IdP login forms.

export interface BrowserResponse {
  status: number;
  url: string;
  location: string | null;
  headers: Headers;
  body: string;
}

/** Cookies per origin (host:port), enough for two loopback servers on different ports. */
export class BrowserSession {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    cookies.set(name, value);
    this.jar.set(origin, cookies);
  }

  clearCookies(origin: string): void {
    this.jar.delete(origin);
  }

  /** One request, no redirect following; cookies stored and sent. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<BrowserResponse> {
    const target = new URL(url);
    const cookies = this.jar.get(target.origin);
    const headers: Record<string, string> = { accept: 'text/html', ...init.headers };
    if (cookies && cookies.size > 0)
      headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body,
      redirect: 'manual',
    });
    this.store(target.origin, response.headers.getSetCookie());
    const location = response.headers.get('location');
    return {
      status: response.status,
      url,
      location: location ? new URL(location, url).href : null,
      headers: response.headers,
      body: await response.text(),
    };
  }

  private store(origin: string, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [key, val] = a.trim().split('=');
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return new Date(val).getTime() < Date.now();
        return false;
      });
      const cookies = this.jar.get(origin) ?? new Map<string, string>();
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
      this.jar.set(origin, cookies);
    }
  }
}

export interface OidcSignInResult {
  /** The app's answer to the callback (302 to returnTo on success). */
  callback: BrowserResponse;
  /** Session cookie value set by the callback, when any. */
  sessionToken: string | undefined;
}

/**
 * Starts a login at the app, signs in at the IdP's form with `userName`/`password`, and
 * returns the app's callback answer. Stops at the first request back to the app.
 */
export async function oidcSignIn(
  browser: BrowserSession,
  appBaseUrl: string,
  credentials: { userName: string; password: string },
  options: { returnTo?: string; sessionCookieName?: string; accept?: string } = {},
): Promise<OidcSignInResult> {
  const appOrigin = new URL(appBaseUrl).origin;
  const start = `${appBaseUrl}/api/v1/auth/oidc/login${
    options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : ''
  }`;
  const response = await browser.request(start);
  if (response.status !== 302 || !response.location)
    throw new Error(`login start answered ${response.status}: ${response.body}`);
  const callback = await signInAtIdp(browser, response.location, appOrigin, credentials, options);
  return {
    callback,
    sessionToken: browser.cookie(appOrigin, options.sessionCookieName ?? 'auth_session'),
  };
}

/**
 * From an authorization URL of the IdP: signs in at its form with `userName`/`password` and
 * answers the app's answer to the first request back to `appOrigin` (the callback).
 */
export async function signInAtIdp(
  browser: BrowserSession,
  authorizationUrl: string,
  appOrigin: string,
  credentials: { userName: string; password: string },
  options: { accept?: string } = {},
): Promise<BrowserResponse> {
  let response: BrowserResponse = {
    status: 302,
    url: authorizationUrl,
    location: authorizationUrl,
    headers: new Headers(),
    body: '',
  };
  for (let step = 0; step < 20; step++) {
    const next: string = response.location ?? '';
    if (new URL(next).origin === appOrigin)
      return browser.request(next, { headers: options.accept ? { accept: options.accept } : {} });
    response = await browser.request(next);
    if (response.status === 200 && response.body.includes('name="password"')) {
      const action = /<form method="post" action="([^"]+)"/.exec(response.body)?.[1];
      if (!action) throw new Error('IdP login form without action');
      response = await browser.request(new URL(action, next).href, {
        form: { login: credentials.userName, password: credentials.password },
      });
      if (response.status === 200) throw new Error(`IdP refused the login: ${response.body}`);
    }
    if (!response.location)
      throw new Error(`IdP answered ${response.status} without redirect: ${response.body}`);
  }
  throw new Error('too many redirects');
}
