// Readable explanations of the reason codes that arrive at /login?error=<code> or in API errors.

export const REASON_MESSAGES = {
  // request shape
  bad_request: 'The request was not understood. Please try again.',
  validation_failed: 'Some values are not valid.',
  invalid_json: 'The request body was not valid JSON.',
  payload_too_large: 'The request was too large.',
  unsupported_media_type: 'The request had an unsupported content type.',
  not_found: 'That page or item does not exist.',
  csrf_rejected:
    'The request came from another site and was refused. Open this site by its own address and try again.',
  // sessions
  unauthenticated: 'Please sign in.',
  session_expired: 'Your session has expired. Please sign in again.',
  session_revoked: 'You were signed out (perhaps at your identity provider). Please sign in again.',
  forbidden: 'You do not have access to that page.',
  // password login
  invalid_credentials: 'Wrong user name or password.',
  method_not_allowed:
    'Password sign-in is not allowed for this account. Use the identity provider.',
  too_many_attempts: 'Too many failed attempts. Wait a little and try again.',
  // OIDC login
  oidc_not_enabled: 'Sign-in with an identity provider is not enabled on this site.',
  oidc_not_configured:
    'Sign-in with the identity provider is not fully configured yet. Ask an administrator.',
  state_missing:
    'The sign-in could not be matched to this browser (no sign-in in progress). Please start again.',
  state_mismatch:
    'The sign-in answer did not match the sign-in started in this browser. Please start again.',
  state_expired: 'The sign-in took too long and expired. Please start again.',
  code_missing: 'The identity provider did not send an authorization code. Please try again.',
  idp_error: 'The identity provider refused or cancelled the sign-in.',
  idp_unreachable:
    'The identity provider could not be reached. Try again later or ask an administrator.',
  token_request_failed:
    'The identity provider refused to issue tokens (check the client id, the client secret and the redirect URI).',
  id_token_missing: 'The identity provider sent no ID token.',
  id_token_malformed: 'The identity provider sent an ID token that could not be read.',
  id_token_invalid_signature:
    'The ID token signature could not be verified (keys or client secret do not match).',
  id_token_alg_not_allowed: 'The ID token was signed with an algorithm this site does not allow.',
  id_token_wrong_issuer:
    'The ID token came from an unexpected issuer (check the issuer URL in the settings).',
  id_token_wrong_audience: 'The ID token was meant for another application (check the client id).',
  id_token_azp_mismatch:
    'The ID token was issued to another client (azp does not match the client id).',
  id_token_expired: 'The ID token had expired (check the server clocks).',
  id_token_not_yet_valid: 'The ID token is not valid yet (check the server clocks).',
  id_token_missing_claim: 'The ID token lacks a required claim.',
  id_token_too_old: 'The ID token was issued too long ago. Please sign in again.',
  nonce_mismatch: 'The sign-in answer did not match this sign-in (nonce). Please start again.',
  userinfo_failed: 'The identity provider did not return your profile (UserInfo request failed).',
  userinfo_sub_mismatch: 'The profile returned by the identity provider belongs to another user.',
  username_claim_missing: 'The identity provider did not send the claim used as your user name.',
  username_too_long: 'Your user name from the identity provider is too long.',
  user_not_found:
    'There is no account for you on this site yet. Ask an administrator to create it.',
  user_inactive: 'Your account is deactivated. Ask an administrator.',
  admin_oidc_disabled:
    'Administrators may not sign in through the identity provider here. Use the password form.',
  // admin
  discovery_failed: 'The discovery document could not be read from that issuer.',
  discovery_issuer_mismatch:
    'The discovery document names a different issuer than the one entered.',
  conflict: 'That name is already taken.',
  // back-channel logout
  logout_token_invalid: 'The logout token was refused.',
  logout_token_replayed: 'The logout token was already used.',
  // infrastructure
  service_unavailable: 'The service is unavailable right now. Try again later.',
  internal_error: 'Something went wrong on the server. Try again later.',
};

/** The readable message of a code; unknown codes get a generic sentence naming the code. */
export function reasonMessage(code) {
  if (Object.hasOwn(REASON_MESSAGES, code)) return REASON_MESSAGES[code];
  return `Sign-in failed (${String(code).slice(0, 64)}). Please try again or ask an administrator.`;
}
