/** Login method of the site. */
export type AuthMethod = 'password' | 'oidc';
export type TokenEndpointAuthMethod = 'client_secret_post' | 'client_secret_basic';
export type OidcPrompt = 'none' | 'login' | 'consent' | 'select_account';
/** How a first sign-in of an unknown (issuer, subject) may bind to an existing user. */
export type LinkExistingUsers = 'userName' | 'verifiedEmail' | 'never';
/** Who decides the admin role: `manual` (admins made by hand are never demoted by a sign-in) or `idp`. */
export type AdminRoleSource = 'manual' | 'idp';

export interface TeamMappingRow {
  teamId: string;
  /** Group value from the group claim; an empty group always applies. */
  group: string;
}

/** The `oidc` object of the settings (DESIGN section 4), without the client secret. */
export interface StoredOidcSettings {
  clientId: string;
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string | null;
  jwksEndpoint: string | null;
  endSessionEndpoint: string | null;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  signatureAlgorithms: string[];
  scopes: string[];
  usernameClaim: string;
  createUser: boolean;
  sync: boolean;
  groupClaim: string | null;
  syncTeams: boolean;
  teamMapping: TeamMappingRow[];
  fallback: boolean;
  allowRegularUserFallback: boolean;
  allowAdminUser: boolean;
  logoutUrl: string | null;
  prompt: OidcPrompt | null;
  maxAge: number | null;
  pkce: boolean;
  linkExistingUsers: LinkExistingUsers;
  /** Group-claim values of which one is required to sign in; empty: everyone. */
  allowedGroups: string[];
  /** Domains of which a verified email is required to sign in; empty: everyone. */
  allowedEmailDomains: string[];
  /** Group-claim values that make a user an admin at every sign-in (needs allowAdminUser). */
  adminGroups: string[];
  adminRoleSource: AdminRoleSource;
  /** Seconds a fetched JWKS is used before it is fetched again (EspoCRM `oidcJwksCachePeriod`). */
  jwksCachePeriod: number;
  /** RFC 9207: the IdP sends `iss` in authorization responses, so a response without it is refused. */
  authorizationResponseIssParameterSupported: boolean;
  /** The login page goes straight to the IdP (the password form stays reachable for fallback users). */
  autoRedirect: boolean;
  /** Text of the login button; null: "Sign in with <issuer host>". */
  buttonLabel: string | null;
}

/** Settings as services use them: the secret decrypted (never leaves the process). */
export interface AuthSettings {
  method: AuthMethod;
  oidc: StoredOidcSettings & { clientSecret: string };
  version: number;
  /** Provider these settings belong to; absent: `default` (the `oidc` object itself). */
  providerId?: string;
}

/** What `GET /admin/authentication` answers. */
export interface AuthSettingsView {
  method: AuthMethod;
  oidc: StoredOidcSettings;
  clientSecretSet: boolean;
  redirectUri: string;
  backchannelLogoutUri: string;
}

export const DEFAULT_OIDC_SETTINGS: StoredOidcSettings = {
  clientId: '',
  issuer: '',
  authorizationEndpoint: '',
  tokenEndpoint: '',
  userInfoEndpoint: null,
  jwksEndpoint: null,
  endSessionEndpoint: null,
  tokenEndpointAuthMethod: 'client_secret_post',
  signatureAlgorithms: ['RS256'],
  scopes: ['profile', 'email'],
  usernameClaim: 'sub',
  createUser: false,
  sync: false,
  groupClaim: null,
  syncTeams: false,
  teamMapping: [],
  fallback: true,
  allowRegularUserFallback: false,
  allowAdminUser: false,
  logoutUrl: null,
  prompt: null,
  maxAge: null,
  pkce: true,
  linkExistingUsers: 'userName',
  allowedGroups: [],
  allowedEmailDomains: [],
  adminGroups: [],
  adminRoleSource: 'manual',
  jwksCachePeriod: 600,
  authorizationResponseIssParameterSupported: false,
  autoRedirect: false,
  buttonLabel: null,
};
