/** Claims of a verified sign-in (ID token merged over UserInfo). */
export type OidcClaims = Record<string, unknown>;

/** A claim by name or dot path (`realm_access.roles`); a literal key with dots wins. */
export function claimAt(claims: OidcClaims, path: string): unknown {
  if (Object.prototype.hasOwnProperty.call(claims, path)) return claims[path];
  let current: unknown = claims;
  for (const part of path.split('.')) {
    if (!current || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Group values of a group claim: a string or an array of strings (others ignored). */
export function groupValues(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The `claims` request parameter asking for the group claim in both places (OIDC Core 5.5). */
export function groupClaimsRequest(groupClaim: string | null): Record<string, unknown> | undefined {
  if (!groupClaim) return undefined;
  // A URL-style name (https://example.com/claims/groups) is one claim, dots and all.
  const name = /^https?:\/\//i.test(groupClaim) ? groupClaim : groupClaim.split('.')[0];
  return { id_token: { [name]: null }, userinfo: { [name]: null } };
}
