/**
 * One sentence per reason code, written for the person who can act on it (usually the
 * administrator). The same table drives the admin page's auth log, the login page's
 * `?error=` message and docs/troubleshooting.md, so the three cannot say different things.
 */
export interface ReasonText {
  /** Where the code arises; groups the troubleshooting page. */
  area: ReasonArea;
  /** What happened and what to do, in one sentence. */
  text: string;
}

export type ReasonArea =
  | 'success'
  | 'oidc'
  | 'policy'
  | 'password'
  | 'session'
  | 'request'
  | 'admin'
  | 'backchannel'
  | 'server';

/** Headings of the areas, in the order the troubleshooting page lists them. */
export const REASON_AREAS: Record<ReasonArea, string> = {
  success: 'Success',
  oidc: 'Sign-in with the identity provider',
  policy: 'Who may sign in (identities, groups, domains)',
  password: 'Password sign-in',
  session: 'Sessions',
  request: 'Requests',
  admin: 'Admin settings and Discover',
  backchannel: 'Back-channel logout',
  server: 'Server side',
};

const t = (area: ReasonArea, text: string): ReasonText => ({ area, text });

export const REASON_TEXT = {
  ok: t('success', 'Signed in (or signed out) successfully.'),

  oidc_not_enabled: t(
    'oidc',
    'Sign-in with an identity provider is off (the method is Password); an administrator can switch the method to OpenID Connect.',
  ),
  oidc_not_configured: t(
    'oidc',
    'The OpenID Connect settings are incomplete or unusable; an administrator should fill in client ID, issuer and endpoints (Discover helps) and save.',
  ),
  state_missing: t(
    'oidc',
    'The answer from the identity provider reached a browser that had not started a sign-in (no login-state cookie): open the site at its exact address and start again from the login page.',
  ),
  state_mismatch: t(
    'oidc',
    'The answer from the identity provider does not belong to a sign-in this browser started (an old or copied callback link): start again from the login page.',
  ),
  state_expired: t(
    'oidc',
    'The sign-in took more than 10 minutes or its answer was used twice: start again from the login page.',
  ),
  code_missing: t(
    'oidc',
    'The identity provider came back without an authorization code: check that the client uses the authorization code flow (response type "code").',
  ),
  idp_error: t(
    'oidc',
    'The identity provider refused or cancelled the sign-in (user cancelled, consent denied, or the user is not assigned to this application there).',
  ),
  idp_unreachable: t(
    'oidc',
    'The identity provider did not answer in time or could not be reached: check the network path from this server to its token, key and UserInfo endpoints.',
  ),
  token_request_failed: t(
    'oidc',
    'The identity provider refused to exchange the code for tokens: check the client secret, the client authentication method and that the redirect URI registered there equals the one on the admin page.',
  ),
  id_token_missing: t(
    'oidc',
    'The identity provider sent no ID token: make sure the client is an OpenID Connect client at the provider.',
  ),
  id_token_malformed: t(
    'oidc',
    'The ID token could not be read (perhaps encrypted): turn ID token encryption off for this client at the identity provider.',
  ),
  id_token_invalid_signature: t(
    'oidc',
    'The ID token signature did not verify: for RS* check the JWKS endpoint (right realm or tenant); for HS* the client secret here must equal the provider’s.',
  ),
  id_token_alg_not_allowed: t(
    'oidc',
    'The ID token was signed with an algorithm not in "Allowed signature algorithms": add the provider’s algorithm (see Discover) or change it at the provider.',
  ),
  id_token_wrong_issuer: t(
    'oidc',
    'The ID token’s issuer differs from the configured issuer: copy the issuer URL exactly, including any trailing slash and the realm or tenant part.',
  ),
  id_token_wrong_audience: t(
    'oidc',
    'The ID token was issued for another application: check the client ID.',
  ),
  id_token_azp_mismatch: t(
    'oidc',
    'The ID token names several audiences and its authorized party is another client: check the client ID.',
  ),
  id_token_expired: t(
    'oidc',
    'The ID token had expired beyond the clock leeway: synchronise the server clocks (NTP) and start again.',
  ),
  id_token_not_yet_valid: t(
    'oidc',
    'The ID token is dated in the future beyond the clock leeway: synchronise the server clocks (NTP).',
  ),
  id_token_missing_claim: t(
    'oidc',
    'The ID token lacks a required claim (exp, iat, sub, or auth_time when a maximum authentication age is set): check the provider’s token settings.',
  ),
  id_token_too_old: t(
    'oidc',
    'The last sign-in at the identity provider is older than the maximum authentication age: sign in again at the provider.',
  ),
  nonce_mismatch: t(
    'oidc',
    'The ID token does not carry the nonce of this sign-in: start again; if it repeats, something caches token answers.',
  ),
  iss_mismatch: t(
    'oidc',
    'The "iss" parameter of the identity provider’s answer is not the configured issuer: check the issuer URL, or someone mixed answers of two providers.',
  ),
  userinfo_failed: t(
    'oidc',
    'The UserInfo endpoint answered with an error: check its URL, or clear it so claims come from the ID token only.',
  ),
  userinfo_sub_mismatch: t(
    'oidc',
    'UserInfo described another user than the ID token: the provider or a proxy is misconfigured; clear the UserInfo endpoint and report it.',
  ),
  username_claim_missing: t(
    'oidc',
    'The claim chosen as "User name claim" was not sent: pick a claim the provider sends, or add the scope that releases it.',
  ),
  username_too_long: t(
    'oidc',
    'The user name from the identity provider is longer than 255 characters: choose a shorter claim as "User name claim".',
  ),
  user_not_found: t(
    'oidc',
    'No account here has this user name and users are not created at sign-in: an administrator can create the account or turn on "Create users on first sign-in".',
  ),
  user_inactive: t('oidc', 'The account is deactivated here: an administrator can reactivate it.'),
  admin_oidc_disabled: t(
    'oidc',
    'Administrators may not sign in through the identity provider here: use the password form, or turn on "Let administrators sign in through the identity provider".',
  ),
  groups_overage: t(
    'oidc',
    'The identity provider sent an overage marker instead of the groups (too many groups), so team memberships were left as they were: reduce the groups emitted for this client or filter them at the provider.',
  ),
  groups_missing: t(
    'oidc',
    'The identity provider sent no group claim, so team memberships and the admin role were left as they were: check the group claim name and that the provider releases it (scopes, client mappers).',
  ),
  groups_invalid: t(
    'oidc',
    'The group claim is neither a string nor a list, so team memberships and the admin role were left as they were: check the group claim name (it may name an object; a dot path reaches inside).',
  ),
  last_admin_kept: t(
    'policy',
    'The groups from the identity provider would have removed the admin role of the last active administrator, so it was kept: make another administrator first, or fix the admin groups.',
  ),

  identity_conflict: t(
    'policy',
    'An account of that user name exists but may not be bound to this identity-provider account (it is bound to another subject, the name is taken, or the link policy forbids binding it): an administrator can remove the old identity, link this one on the user’s page, or change "Link existing users".',
  ),
  group_not_allowed: t(
    'policy',
    'The user is in none of the groups listed under "Allowed groups": add the user to one of them at the provider, or change the list.',
  ),
  email_domain_not_allowed: t(
    'policy',
    'The user’s verified email is not in one of the "Allowed email domains": change the list, or the provider must send a verified email of an allowed domain.',
  ),

  invalid_credentials: t(
    'password',
    'Wrong user name or password (the same answer for both, on purpose): check both; an administrator can set a new password.',
  ),
  method_not_allowed: t(
    'password',
    'Password sign-in is not allowed for this account: sign in with the identity provider, or an administrator can allow the password fallback for regular users.',
  ),
  too_many_attempts: t(
    'password',
    'Too many failed password attempts for this user name or from this address, so password sign-in is paused for a while: wait, then try again.',
  ),

  unauthenticated: t('session', 'Not signed in (no or unknown session): sign in.'),
  session_expired: t('session', 'The session reached its lifetime: sign in again.'),
  session_revoked: t(
    'session',
    'The session was ended (signed out here, or at the identity provider through back-channel logout): sign in again.',
  ),
  forbidden: t('session', 'Signed in, but this needs an administrator: ask one for access.'),
  csrf_rejected: t(
    'session',
    'A change came from another site (its Origin is not this site’s) and was refused: open the site at its own address; API clients use a Bearer token.',
  ),

  bad_request: t('request', 'The request was not understood: check its parameters.'),
  validation_failed: t(
    'request',
    'Some values are not valid: each field says what is wrong; nothing was saved.',
  ),
  invalid_json: t('request', 'The request body was not valid JSON: send well-formed JSON.'),
  payload_too_large: t('request', 'The request body was too large: send less data.'),
  unsupported_media_type: t(
    'request',
    'The request had an unsupported content type: send JSON with Content-Type application/json.',
  ),
  not_found: t('request', 'That page or item does not exist (perhaps deleted).'),

  discovery_failed: t(
    'admin',
    'The discovery document could not be fetched or read from that issuer: check the issuer URL (https, http only on loopback) and that this server can reach it.',
  ),
  discovery_issuer_mismatch: t(
    'admin',
    'The discovery document names a different issuer than the one entered: use the issuer exactly as the document writes it (trailing slash, realm or tenant).',
  ),
  hs_secret_too_short: t(
    'admin',
    'An HS* algorithm needs a client secret at least as long as its hash (32 bytes for HS256, 48 for HS384, 64 for HS512): use a longer secret or an RS* algorithm.',
  ),
  conflict: t('admin', 'That name is already taken: choose another.'),

  logout_token_invalid: t(
    'backchannel',
    'A back-channel logout token was refused (signature, issuer, audience, times, events, sub/sid or nonce): check that the provider’s client is the one configured here.',
  ),
  logout_token_replayed: t(
    'backchannel',
    'A back-channel logout token was sent twice: harmless when the provider retried; otherwise investigate.',
  ),

  service_unavailable: t(
    'server',
    'A service this site needs (usually the database) is unavailable: try again later; administrators check the database.',
  ),
  internal_error: t(
    'server',
    'Something went wrong on the server: try again later; administrators find the details in the server log.',
  ),
} satisfies Record<string, ReasonText>;

export type ReasonCode = keyof typeof REASON_TEXT;

/** The sentence of a code; an unknown code gets a sentence that still names it. */
export function reasonText(code: string): string {
  if (Object.hasOwn(REASON_TEXT, code)) return REASON_TEXT[code as ReasonCode].text;
  return `Refused with the code "${code.slice(0, 64)}": look it up in the troubleshooting guide or the server log.`;
}
