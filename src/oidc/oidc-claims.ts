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

/**
 * What the group claim says: the groups, or why it cannot be trusted to say anything
 * (memberships are then left as they are). `[]` is a real answer: no groups.
 */
export type GroupClaim =
  { status: 'ok'; groups: string[] } | { status: 'missing' | 'overage' | 'invalid'; groups: null };

/** Reads the group claim; with no group claim configured, the user has no groups. */
export function readGroupClaim(claims: OidcClaims, groupClaim: string | null): GroupClaim {
  if (!groupClaim) return { status: 'ok', groups: [] };
  const value = claimAt(claims, groupClaim);
  if (value === undefined || value === null) {
    // Entra ID sends these instead of `groups` above 200 groups (token size limit).
    const names = claims._claim_names;
    const overage =
      claims.hasgroups === true ||
      claims.hasgroups === 'true' ||
      (!!names && typeof names === 'object' && Object.hasOwn(names, groupClaim.split('.')[0]));
    return { status: overage ? 'overage' : 'missing', groups: null };
  }
  if (typeof value === 'string') return { status: 'ok', groups: [value] };
  if (Array.isArray(value)) return { status: 'ok', groups: groupValues(value) };
  return { status: 'invalid', groups: null };
}

/** The `claims` request parameter asking for the group claim in both places (OIDC Core 5.5). */
export function groupClaimsRequest(groupClaim: string | null): Record<string, unknown> | undefined {
  if (!groupClaim) return undefined;
  // A URL-style name (https://example.com/claims/groups) is one claim, dots and all.
  const name = /^https?:\/\//i.test(groupClaim) ? groupClaim : groupClaim.split('.')[0];
  return { id_token: { [name]: null }, userinfo: { [name]: null } };
}
