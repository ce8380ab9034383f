import type { ResolvedAuthOptions } from '../auth-options.js';

/** The binding cookie of test sign-ins: its own name beside the login-state cookie's. */
export function testCookieName(options: Pick<ResolvedAuthOptions, 'stateCookieName'>): string {
  return `${options.stateCookieName}_test`;
}
