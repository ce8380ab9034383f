import type { ResolvedAuthOptions } from '../auth-options.js';
import { DEFAULT_PROVIDER_ID } from '../login/login-methods.js';

export { DEFAULT_PROVIDER_ID };

/** A provider id is a URL slug; `default` is the `oidc` object of the settings. */
export const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isDefaultProvider(providerId: string | null | undefined): boolean {
  return !providerId || providerId === DEFAULT_PROVIDER_ID;
}

type Urls = Pick<ResolvedAuthOptions, 'siteOrigin' | 'routePrefix'>;

/** Where a provider's sign-in starts; `default` keeps `/auth/oidc/login`. */
export function providerLoginUrl(options: Urls, providerId: string): string {
  const base = `${options.siteOrigin}${options.routePrefix}/auth/oidc`;
  return isDefaultProvider(providerId) ? `${base}/login` : `${base}/${providerId}/login`;
}

/** A provider's redirect URI (one per provider: mix-up defence); `default` keeps `/auth/oidc/callback`. */
export function providerRedirectUri(options: Urls, providerId: string): string {
  const base = `${options.siteOrigin}${options.routePrefix}/auth/oidc`;
  return isDefaultProvider(providerId) ? `${base}/callback` : `${base}/${providerId}/callback`;
}
