/** Loopback hosts, where plain http is accepted for development and tests. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** An IdP URL must be https, or http on a loopback host; no credentials in it. */
export function isAllowedIdpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname);
}

/**
 * A `returnTo` that is a path on the site itself, else `/`. Refuses absolute URLs,
 * protocol-relative (`//host`), backslash tricks (`/\host`), control characters and
 * anything whose resolution leaves the site's origin.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return '/';
  if (!value.startsWith('/') || value.startsWith('//')) return '/';
  if (/[\\\u0000-\u001f\u007f\s]/.test(value)) return '/';
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return '/';
  }
  if (decoded.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(decoded)) return '/';
  const base = 'http://site.invalid';
  let resolved: URL;
  try {
    resolved = new URL(value, base);
  } catch {
    return '/';
  }
  if (resolved.origin !== base) return '/';
  const path = resolved.pathname + resolved.search + resolved.hash;
  // Dot segments can collapse into `//host` (`/.//evil.example`): a protocol-relative Location.
  return path.startsWith('//') ? '/' : path;
}
