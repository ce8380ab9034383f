import { decodeJwt } from 'jose';

/**
 * `iss` and `aud` of a token NOT yet verified: only to pick whose keys verify it, never
 * trusted otherwise. Undefined when the token cannot be decoded.
 */
export function unverifiedIssuer(token: string): { iss: string; aud: string[] } | undefined {
  try {
    const { iss, aud } = decodeJwt(token);
    if (typeof iss !== 'string') return undefined;
    const audiences = Array.isArray(aud) ? aud : typeof aud === 'string' ? [aud] : [];
    return { iss, aud: audiences.filter((value): value is string => typeof value === 'string') };
  } catch {
    return undefined;
  }
}
