import { HttpException } from '@nestjs/common';

/**
 * Every refusal of the module is an `AuthError` with a stable code from this closed list;
 * callers and the exception filter switch on the code, never on the message.
 */
export const AUTH_ERROR_STATUS = {
  // request shape
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_found: 404,
  csrf_rejected: 403,
  // sessions
  unauthenticated: 401,
  session_expired: 401,
  session_revoked: 401,
  forbidden: 403,
  // password login
  invalid_credentials: 401,
  method_not_allowed: 403,
  too_many_attempts: 429,
  // OIDC login
  oidc_not_enabled: 403,
  oidc_not_configured: 503,
  state_missing: 401,
  state_mismatch: 401,
  state_expired: 401,
  code_missing: 401,
  idp_error: 401,
  idp_unreachable: 502,
  token_request_failed: 401,
  id_token_missing: 401,
  id_token_malformed: 401,
  id_token_invalid_signature: 401,
  id_token_alg_not_allowed: 401,
  id_token_wrong_issuer: 401,
  id_token_wrong_audience: 401,
  id_token_azp_mismatch: 401,
  id_token_expired: 401,
  id_token_not_yet_valid: 401,
  id_token_missing_claim: 401,
  id_token_too_old: 401,
  nonce_mismatch: 401,
  iss_mismatch: 401,
  hs_secret_too_short: 401,
  userinfo_failed: 401,
  userinfo_sub_mismatch: 401,
  username_claim_missing: 401,
  username_too_long: 401,
  user_not_found: 401,
  user_inactive: 403,
  admin_oidc_disabled: 403,
  identity_conflict: 403,
  group_not_allowed: 403,
  email_domain_not_allowed: 403,
  // admin
  discovery_failed: 400,
  discovery_issuer_mismatch: 400,
  conflict: 409,
  // back-channel logout (the endpoint answers every refusal as 400 invalid_request)
  logout_token_invalid: 400,
  logout_token_replayed: 400,
  // infrastructure
  service_unavailable: 503,
  internal_error: 500,
} as const;

export type AuthErrorCode = keyof typeof AUTH_ERROR_STATUS;

export interface AuthErrorOptions {
  cause?: unknown;
  /** Per-field messages, for `validation_failed`. */
  fields?: Record<string, string>;
  /** Overrides the status of the code (rarely needed). */
  status?: number;
  /** Headers the answer carries (e.g. `Retry-After` on 429); applied by the module's filter. */
  headers?: Record<string, string>;
}

/** The client-facing body: the code and the message, never the cause. */
export interface AuthErrorBody {
  error: AuthErrorCode;
  message: string;
  fields?: Record<string, string>;
}

/**
 * An `HttpException` carrying a stable code: Nest's default handling (or a host's filter)
 * answers its status and `{error, message[, fields]}` body with no set-up.
 */
export class AuthError extends HttpException {
  override readonly name = 'AuthError';
  readonly fields?: Record<string, string>;
  readonly headers?: Record<string, string>;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options: AuthErrorOptions = {},
  ) {
    const body: AuthErrorBody = options.fields
      ? { error: code, message, fields: options.fields }
      : { error: code, message };
    super(body, options.status ?? AUTH_ERROR_STATUS[code], { cause: options.cause });
    this.message = message;
    this.fields = options.fields;
    this.headers = options.headers;
  }

  /** The client-facing body: the code and the message, never the cause. */
  toJSON(): AuthErrorBody {
    return this.getResponse() as AuthErrorBody;
  }
}

export function isAuthError(value: unknown): value is AuthError {
  return value instanceof AuthError;
}
