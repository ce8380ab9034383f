/**
 * States of test sign-ins start with this; real states are bare base64url (no "."), so the
 * callback tells them apart by one string comparison, without a database read.
 */
export const TEST_STATE_PREFIX = 'test.';

export function isTestSignInState(state: unknown): state is string {
  return typeof state === 'string' && state.startsWith(TEST_STATE_PREFIX);
}
