import type { AuthErrorCode } from '../common/auth-error.js';
import type { StoredOidcSettings } from '../settings/auth-settings.types.js';
import type { GroupClaim, OidcClaims } from './oidc-claims.js';

export type AccessDecision =
  { allowed: true } | { allowed: false; code: AuthErrorCode; message: string };

/** `email_verified` as IdPs send it: a boolean, or the string "true" (Amazon Cognito). */
export function isEmailVerified(claims: OidcClaims): boolean {
  return claims.email_verified === true || claims.email_verified === 'true';
}

/** The lower-cased domain of an email address, or null when it is not one. */
export function emailDomain(email: unknown): string | null {
  if (typeof email !== 'string') return null;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  return email.slice(at + 1).toLowerCase();
}

/** Who may sign in at all (allowedGroups, allowedEmailDomains); empty lists allow everyone. */
export function checkAccess(
  claims: OidcClaims,
  groups: GroupClaim,
  oidc: Pick<StoredOidcSettings, 'allowedGroups' | 'allowedEmailDomains' | 'groupClaim'>,
): AccessDecision {
  if (oidc.allowedGroups.length) {
    if (groups.groups === null)
      return {
        allowed: false,
        code: 'group_not_allowed',
        message: `Only members of the allowed groups may sign in, and the group claim "${oidc.groupClaim ?? ''}" is ${groups.status === 'overage' ? 'replaced by an overage marker (too many groups)' : groups.status === 'invalid' ? 'not a string or a list' : 'missing'}.`,
      };
    if (!groups.groups.some((group) => oidc.allowedGroups.includes(group)))
      return {
        allowed: false,
        code: 'group_not_allowed',
        message: 'The user is in none of the groups allowed to sign in (allowedGroups).',
      };
  }
  if (oidc.allowedEmailDomains.length) {
    const domain = emailDomain(claims.email);
    if (!domain || !isEmailVerified(claims))
      return {
        allowed: false,
        code: 'email_domain_not_allowed',
        message:
          'Only a verified email of an allowed domain may sign in, and the IdP sent no verified email (email, email_verified).',
      };
    if (!oidc.allowedEmailDomains.includes(domain))
      return {
        allowed: false,
        code: 'email_domain_not_allowed',
        message: `The email domain "${domain}" is not among the domains allowed to sign in (allowedEmailDomains).`,
      };
  }
  return { allowed: true };
}
