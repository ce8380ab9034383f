import type { StoredOidcSettings } from '../settings/auth-settings.types.js';

export interface LogoutRedirectInput {
  oidc: Pick<StoredOidcSettings, 'endSessionEndpoint' | 'logoutUrl' | 'clientId' | 'issuer'>;
  /** The site URL exactly as configured (registered at the IdP as post-logout redirect URI). */
  siteUrl: string;
  /** The ended session's raw ID token and issuer. */
  idToken: string | null;
  idpIssuer: string | null;
}

/**
 * Where the browser goes after an OIDC session ends: the IdP's end-session endpoint (wins) with
 * `id_token_hint`, `post_logout_redirect_uri` and `client_id`, else the `logoutUrl` template, else null.
 */
export function buildLogoutRedirect(input: LogoutRedirectInput): string | null {
  const { oidc } = input;
  if (oidc.endSessionEndpoint) {
    const url = new URL(oidc.endSessionEndpoint);
    // An ID token from another issuer (the IdP was changed since sign-in) would be refused there.
    if (input.idToken && input.idpIssuer === oidc.issuer)
      url.searchParams.set('id_token_hint', input.idToken);
    url.searchParams.set('post_logout_redirect_uri', input.siteUrl);
    if (oidc.clientId) url.searchParams.set('client_id', oidc.clientId);
    return url.toString();
  }
  if (oidc.logoutUrl) {
    return oidc.logoutUrl
      .replaceAll('{siteUrl}', encodeURIComponent(input.siteUrl))
      .replaceAll('{clientId}', encodeURIComponent(oidc.clientId));
  }
  return null;
}
