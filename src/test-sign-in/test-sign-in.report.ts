import type { AuthError } from '../common/auth-error.js';
import type { ProvisioningPlan } from '../oidc/oidc-provisioning.service.js';

/** The checks of a test sign-in, in the order the real sign-in runs them. */
export const TEST_SIGN_IN_CHECKS = [
  'authorization response',
  'state',
  'token request',
  'signature',
  'iss',
  'aud',
  'azp',
  'exp/iat/nbf',
  'nonce',
  'sub',
  'auth_time/max_age',
  'userinfo',
  'sub match',
  'user-name claim',
  'policy',
] as const;

export type TestSignInCheckName = (typeof TEST_SIGN_IN_CHECKS)[number];

export interface TestSignInCheck {
  name: TestSignInCheckName;
  ok: boolean;
  /** The refusal code when not ok. */
  code?: string;
  message?: string;
}

export interface TestSignInReport {
  id: string;
  status: 'pending' | 'done';
  /** The checks that ran, in order; the first failed one is the last. */
  checks: TestSignInCheck[];
  /** Header and claims of the ID token (never the token or its signature); null before the token request. */
  idToken: {
    header: Record<string, unknown>;
    claims: Record<string, unknown>;
    verified: boolean;
  } | null;
  /** UserInfo claims, or null when not called. */
  userInfo: Record<string, unknown> | null;
  result: {
    outcome: 'signed_in' | 'refused';
    code?: string;
    message?: string;
    /** What a real sign-in would do to users and teams; null when refused. */
    plan: ProvisioningPlan | null;
    userName: string | null;
  } | null;
  createdAt: string;
  expiresAt: string;
}

/** Which ID-token check a verifier refusal belongs to. */
const ID_TOKEN_CHECK_OF: Record<string, TestSignInCheckName> = {
  id_token_malformed: 'signature',
  id_token_invalid_signature: 'signature',
  id_token_alg_not_allowed: 'signature',
  hs_secret_too_short: 'signature',
  idp_unreachable: 'signature',
  id_token_wrong_issuer: 'iss',
  id_token_wrong_audience: 'aud',
  id_token_azp_mismatch: 'azp',
  id_token_expired: 'exp/iat/nbf',
  id_token_not_yet_valid: 'exp/iat/nbf',
  nonce_mismatch: 'nonce',
  id_token_too_old: 'auth_time/max_age',
};

const ID_TOKEN_CHECKS = TEST_SIGN_IN_CHECKS.slice(
  TEST_SIGN_IN_CHECKS.indexOf('signature'),
  TEST_SIGN_IN_CHECKS.indexOf('auth_time/max_age') + 1,
);

/**
 * The ID-token check an error of the verifier refused. `id_token_missing_claim` is placed by
 * the claim that is missing, read from the (unverified) claims.
 */
export function idTokenCheckOf(
  error: AuthError,
  claims: Record<string, unknown> | undefined,
): TestSignInCheckName {
  if (error.code === 'id_token_missing_claim') {
    const isTime = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
    if (!claims || !isTime(claims.exp) || !isTime(claims.iat)) return 'exp/iat/nbf';
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 255)
      return 'sub';
    return 'auth_time/max_age';
  }
  return ID_TOKEN_CHECK_OF[error.code] ?? 'signature';
}

/** The ID-token checks before `failed` (passed), then `failed` itself. */
export function idTokenChecksUpTo(failed: TestSignInCheckName | undefined): TestSignInCheckName[] {
  if (failed === undefined) return [...ID_TOKEN_CHECKS];
  const index = ID_TOKEN_CHECKS.indexOf(failed);
  return ID_TOKEN_CHECKS.slice(0, index < 0 ? 0 : index);
}
