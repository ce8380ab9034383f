/** Longest user name accepted (the column is varchar(255)). */
export const MAX_USER_NAME_LENGTH = 255;

const KEPT = /^[a-z0-9\-@_.]$/;

/**
 * Normalises a user name as EspoCRM's OIDC sync does: ASCII letters lower-cased (nothing
 * else is case-folded), every byte of the UTF-8 form outside `[a-z0-9-@_. ]` becomes `_`,
 * spaces become `_`, nothing is trimmed ("José" gives `jos__`, " Bob " gives `_bob_`).
 * EspoCRM's class also keeps tab, CR, LF, VT and FF (`\s`); here they become `_` like any
 * other byte, so no user name holds a control character.
 */
export function normalizeUserName(value: string): string {
  let result = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    // ASCII A-Z only: toLowerCase() would fold the Kelvin sign or dotted I into ASCII.
    const char = String.fromCharCode(byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte);
    result += KEPT.test(char) ? char : '_';
  }
  return result;
}

/** Whether a normalised name carries no information (empty or only `_`): never a user name. */
export function isBlankUserName(userName: string): boolean {
  return /^_*$/.test(userName);
}
