import type { SignatureAlgorithmDefinition } from './oidc/algorithm-registry.js';

/** Failure counts per `windowSeconds` (default 900) that slow guessing without locking anyone out. */
export interface ThrottleOptions {
  /** Password failures per user name after which untrusted clients need a clean address. Default 5. */
  perUserName?: number;
  /** Password failures per user name after which only trusted devices get through. Default 100. */
  perUserNameMax?: number;
  /** Password failures per client address, for everyone from it. Default 20. */
  perAddress?: number;
  /** Refused OIDC callbacks per client address. Default 60. */
  callbackPerAddress?: number;
  /** Refused back-channel logouts per client address. Default 60. */
  backchannelPerAddress?: number;
  /** Window of every count, in seconds. Default 900. */
  windowSeconds?: number;
}

/** Options of `AuthModule.forRoot()` / `forRootAsync()`. */
export interface AuthModuleOptions {
  /**
   * Public base URL of the site, e.g. `https://crm.example.com` (no trailing slash needed).
   * The redirect URI is `<siteUrl><routePrefix>/auth/oidc/callback`. Required.
   */
  siteUrl: string;
  /**
   * 32-byte key for AES-256-GCM encryption of the client secret: 64 hex characters,
   * base64/base64url, or a 32-byte Buffer. Required.
   */
  secretKey: string | Buffer;
  /** Prefix of every route of the module. Default `/api/v1`. */
  routePrefix?: string;
  /** Session lifetime in seconds. Default 8 hours (28 800). */
  sessionTtlSeconds?: number;
  /** Seconds a session is served from the in-process cache before a database re-read. Default 30. */
  sessionCacheSeconds?: number;
  /**
   * Name of the session cookie. Default `auth_session`, `__Host-auth_session` when the site is
   * https; a name given here is used exactly as given (it may start with `__Host-` on https).
   */
  sessionCookieName?: string;
  /**
   * Name of the login-state cookie binding a pending OIDC login to the browser. Default
   * `auth_login_state`, `__Host-auth_login_state` on https; a given name is used as given.
   */
  stateCookieName?: string;
  /**
   * Name of the trusted-device cookie set at a password sign-in (lets that browser past the
   * per-user-name throttle). Default `auth_device`, `__Host-auth_device` on https.
   */
  deviceCookieName?: string;
  /** Days a trusted-device cookie stays valid. Default 180. */
  trustedDeviceDays?: number;
  /** Days auth log entries are kept; older ones are deleted by a scheduled clean-up. Default 90. */
  authLogRetentionDays?: number;
  /** Seconds between two auth log clean-ups (one instance runs each, by an advisory lock). Default 3600. */
  authLogCleanupIntervalSeconds?: number;
  /** Clock leeway for token time claims, in seconds. Default 60. */
  clockLeewaySeconds?: number;
  /** Timeout of every call to the IdP, in milliseconds. Default 10 000. */
  idpTimeoutMs?: number;
  /** Largest IdP response body accepted, in bytes. Default 1 MiB. */
  idpMaxResponseBytes?: number;
  /** Minimum seconds between two JWKS refetches caused by an unknown `kid`. Default 30. */
  jwksRefetchCooldownSeconds?: number;
  /** Extra signature algorithms (ES256, PS256, EdDSA, ...) beside the built-in RS* and HS*. Default none. */
  signatureAlgorithms?: SignatureAlgorithmDefinition[];
  /** Throttling of failed attempts in Postgres (see SECURITY.md for the design). */
  throttle?: ThrottleOptions;
  /** Page the browser lands on after a test sign-in (`?id=<id>` or `?error=<code>`). Default `/admin/test-sign-in`. */
  testSignInPagePath?: string;
  /** Register the module globally (guards, services). Default false. */
  isGlobal?: boolean;
  /**
   * Install `SessionGuard` as a global guard (`APP_GUARD`), run before the host's own global
   * guards so they see `req.user`. With `false` the host puts the exported `SessionGuard`
   * (or `AuthGuard('auth-session')`) where it wants; the module's own routes still check
   * sessions. Given to `forRoot`/`forRootAsync` directly (not by an async factory). Default true.
   */
  globalGuard?: boolean;
  /**
   * Admin created at start-up when no user of that name exists (an existing user is never
   * changed). Password 8 to 1024 characters; read it from the environment. Default none.
   */
  bootstrapAdmin?: { userName: string; password: string };
  /** At start-up, stop the app when `authEntities` are not registered or `authMigrations` have not run. Default true. */
  schemaCheck?: boolean;
}

/** Options with every default filled in and the secret key decoded. */
export interface ResolvedAuthOptions extends Required<
  Omit<AuthModuleOptions, 'secretKey' | 'throttle' | 'isGlobal' | 'globalGuard' | 'bootstrapAdmin'>
> {
  secretKey: Buffer;
  bootstrapAdmin: { userName: string; password: string } | null;
  throttle: Required<ThrottleOptions>;
  /** `siteUrl` without a trailing slash. */
  siteOrigin: string;
  /** Whether cookies get `Secure` (site URL is https). */
  secureCookies: boolean;
}

function fail(option: string, message: string): never {
  throw new Error(`AuthModule option "${option}" ${message}`);
}

export function decodeSecretKey(value: string | Buffer | undefined): Buffer {
  if (value === undefined || value === null || value === '')
    fail('secretKey', 'is required (32 bytes as 64 hex characters or base64).');
  if (Buffer.isBuffer(value)) {
    if (value.length !== 32) fail('secretKey', `must be 32 bytes, got ${value.length}.`);
    return value;
  }
  if (typeof value !== 'string') fail('secretKey', 'must be a string or a Buffer.');
  const text = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : Buffer.from(text, 'base64');
  if (key.length !== 32)
    fail('secretKey', 'must decode to 32 bytes (64 hex characters or base64 of 32 bytes).');
  return key;
}

function positiveInt(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    fail(option, `must be a positive integer, got ${String(value)}.`);
  return value;
}

/**
 * A given name is used as given; a default gets `__Host-` on https, so no sibling subdomain
 * can plant or shadow it (the cookie is then `Secure`, `Path=/`, without `Domain`).
 */
function cookieName(
  option: string,
  value: string | undefined,
  fallback: string,
  secure: boolean,
): string {
  if (value === undefined) return secure ? `__Host-${fallback}` : fallback;
  const name = value;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name))
    fail(option, 'must be 1-64 letters, digits, "_" or "-".');
  if (name === '_session' || name === '_interaction')
    fail(option, 'must not be a name IdPs use (_session, _interaction).');
  if (/^__(host|secure)-/i.test(name) && !secure)
    fail(option, 'may start with __Host- or __Secure- only when siteUrl is https.');
  return name;
}

function bootstrapAdmin(
  value: AuthModuleOptions['bootstrapAdmin'],
): ResolvedAuthOptions['bootstrapAdmin'] {
  if (value === undefined || value === null) return null;
  if (typeof value.userName !== 'string' || !value.userName.trim())
    fail('bootstrapAdmin.userName', 'must be a non-empty string.');
  if (
    typeof value.password !== 'string' ||
    value.password.length < 8 ||
    value.password.length > 1024
  )
    fail('bootstrapAdmin.password', 'must be 8 to 1024 characters.');
  return { userName: value.userName, password: value.password };
}

function localPath(option: string, value: string | undefined, fallback: string): string {
  const path = value ?? fallback;
  // A path on the site itself: "//host" or "/\\host" would leave it.
  if (!/^\/(?![/\\])[A-Za-z0-9/_.~-]*$/.test(path))
    fail(option, 'must be a local path such as /admin/test-sign-in.');
  return path;
}

/** Fills in defaults and fails fast, naming the option, on anything wrong. */
export function resolveAuthOptions(options: AuthModuleOptions): ResolvedAuthOptions {
  if (!options || typeof options !== 'object') throw new Error('AuthModule options are required.');
  let site: URL;
  try {
    site = new URL(options.siteUrl);
  } catch {
    fail('siteUrl', `must be an absolute http(s) URL, got ${JSON.stringify(options.siteUrl)}.`);
  }
  if (site.protocol !== 'http:' && site.protocol !== 'https:')
    fail('siteUrl', 'must use http or https.');
  if (site.search || site.hash) fail('siteUrl', 'must not have a query or fragment.');
  const siteOrigin = site.href.replace(/\/+$/, '');
  const routePrefix = (options.routePrefix ?? '/api/v1').replace(/\/+$/, '');
  if (routePrefix && !/^\/[A-Za-z0-9/_-]*$/.test(routePrefix))
    fail('routePrefix', 'must be a path such as /api/v1.');
  const throttle = options.throttle ?? {};
  const secure = site.protocol === 'https:';
  return {
    siteUrl: options.siteUrl,
    siteOrigin,
    secureCookies: secure,
    secretKey: decodeSecretKey(options.secretKey),
    routePrefix,
    sessionTtlSeconds: positiveInt('sessionTtlSeconds', options.sessionTtlSeconds, 8 * 3600),
    sessionCacheSeconds: positiveInt('sessionCacheSeconds', options.sessionCacheSeconds, 30),
    sessionCookieName: cookieName(
      'sessionCookieName',
      options.sessionCookieName,
      'auth_session',
      secure,
    ),
    stateCookieName: cookieName(
      'stateCookieName',
      options.stateCookieName,
      'auth_login_state',
      secure,
    ),
    deviceCookieName: cookieName(
      'deviceCookieName',
      options.deviceCookieName,
      'auth_device',
      secure,
    ),
    trustedDeviceDays: positiveInt('trustedDeviceDays', options.trustedDeviceDays, 180),
    authLogRetentionDays: positiveInt('authLogRetentionDays', options.authLogRetentionDays, 90),
    authLogCleanupIntervalSeconds: positiveInt(
      'authLogCleanupIntervalSeconds',
      options.authLogCleanupIntervalSeconds,
      3600,
    ),
    clockLeewaySeconds:
      options.clockLeewaySeconds === 0
        ? 0
        : positiveInt('clockLeewaySeconds', options.clockLeewaySeconds, 60),
    idpTimeoutMs: positiveInt('idpTimeoutMs', options.idpTimeoutMs, 10_000),
    idpMaxResponseBytes: positiveInt(
      'idpMaxResponseBytes',
      options.idpMaxResponseBytes,
      1024 * 1024,
    ),
    jwksRefetchCooldownSeconds: positiveInt(
      'jwksRefetchCooldownSeconds',
      options.jwksRefetchCooldownSeconds,
      30,
    ),
    signatureAlgorithms: options.signatureAlgorithms ?? [],
    bootstrapAdmin: bootstrapAdmin(options.bootstrapAdmin),
    schemaCheck: options.schemaCheck ?? true,
    testSignInPagePath: localPath(
      'testSignInPagePath',
      options.testSignInPagePath,
      '/admin/test-sign-in',
    ),
    throttle: {
      perUserName: positiveInt('throttle.perUserName', throttle.perUserName, 5),
      perUserNameMax: positiveInt('throttle.perUserNameMax', throttle.perUserNameMax, 100),
      perAddress: positiveInt('throttle.perAddress', throttle.perAddress, 20),
      callbackPerAddress: positiveInt(
        'throttle.callbackPerAddress',
        throttle.callbackPerAddress,
        60,
      ),
      backchannelPerAddress: positiveInt(
        'throttle.backchannelPerAddress',
        throttle.backchannelPerAddress,
        60,
      ),
      windowSeconds: positiveInt('throttle.windowSeconds', throttle.windowSeconds, 900),
    },
  };
}
