import type { StoredOidcSettings } from '../settings/auth-settings.types.js';

/** What the provider routes of the admin API answer for one provider. */
export interface ProviderView {
  id: string;
  label: string;
  enabled: boolean;
  /** True for `default`: it is changed through `PUT /admin/authentication`, not these routes. */
  readOnly: boolean;
  oidc: StoredOidcSettings;
  clientSecretSet: boolean;
  /** Redirect URI to register at the IdP: `<site><prefix>/auth/oidc/<id>/callback`. */
  redirectUri: string;
  /** Back-channel logout URI (one for every provider: the logout token's issuer picks it). */
  backchannelLogoutUri: string;
  loginUrl: string;
  version: number;
}

/** What `DELETE /admin/authentication/providers/:id` answers. */
export interface ProviderDeleted {
  id: string;
  /** Sessions signed in through the provider, revoked with it. */
  sessionsRevoked: number;
}
