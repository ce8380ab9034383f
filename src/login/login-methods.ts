import type { AuthSettings } from '../settings/auth-settings.types.js';
import type { AuthMethodsDto } from './login.dto.js';

/** Id of the one provider until several exist (DESIGN section 7). */
export const DEFAULT_PROVIDER_ID = 'default';

/** The login button's text: the configured label, else "Sign in with <issuer host>". */
export function buttonLabelOf(oidc: AuthSettings['oidc']): string {
  if (oidc.buttonLabel) return oidc.buttonLabel;
  let host = '';
  try {
    host = new URL(oidc.issuer).host;
  } catch {
    // An issuer that is not a URL yet (password mode, being prepared) names no host.
  }
  return host ? `Sign in with ${host}` : 'Sign in with your identity provider';
}

/**
 * What `GET /auth/methods` answers for the login page: `default` first, then the other
 * enabled providers; `autoRedirect` only while exactly one provider is offered.
 */
export function loginMethodsOf(
  settings: AuthSettings,
  oidcLoginUrl: string,
  others: { id: string; label: string; loginUrl: string }[] = [],
): AuthMethodsDto {
  const { method, oidc } = settings;
  if (method !== 'oidc')
    return {
      method,
      fallback: true,
      fallbackForRegularUsers: true,
      autoRedirect: false,
      buttonLabel: null,
      providers: [],
    };
  const label = buttonLabelOf(oidc);
  return {
    method,
    fallback: oidc.fallback,
    fallbackForRegularUsers: oidc.fallback && oidc.allowRegularUserFallback,
    autoRedirect: oidc.autoRedirect && others.length === 0,
    buttonLabel: label,
    providers: [{ id: DEFAULT_PROVIDER_ID, label, loginUrl: oidcLoginUrl }, ...others],
  };
}
