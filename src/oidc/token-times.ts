/** 9999-12-31T23:59:59Z: a later NumericDate cannot be stored or compared safely. */
export const MAX_NUMERIC_DATE = 253_402_300_799;

export type TimeClaim = 'exp' | 'iat' | 'nbf';

export interface TimeFailure {
  kind: 'missing' | 'malformed' | 'expired' | 'not_yet_valid';
  claim: TimeClaim;
}

/** A NumericDate (RFC 7519 2): a finite, non-negative number of seconds, fractions allowed. */
export function isNumericDate(value: unknown): value is number {
  return (
    typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_NUMERIC_DATE
  );
}

/**
 * The one time check of ID tokens and logout tokens: `exp` and `iat` required, `nbf`
 * optional, each a sane NumericDate, all three with the same leeway. Null when they pass.
 */
export function tokenTimeFailure(
  payload: Record<string, unknown>,
  leewaySeconds: number,
  now = Date.now() / 1000,
): TimeFailure | null {
  for (const claim of ['exp', 'iat', 'nbf'] as const) {
    const value = payload[claim];
    if (value === undefined) {
      if (claim !== 'nbf') return { kind: 'missing', claim };
    } else if (!isNumericDate(value)) return { kind: 'malformed', claim };
  }
  const { exp, iat, nbf } = payload as { exp: number; iat: number; nbf?: number };
  if (exp + leewaySeconds <= now) return { kind: 'expired', claim: 'exp' };
  if (nbf !== undefined && nbf - leewaySeconds > now)
    return { kind: 'not_yet_valid', claim: 'nbf' };
  if (iat - leewaySeconds > now) return { kind: 'not_yet_valid', claim: 'iat' };
  return null;
}
