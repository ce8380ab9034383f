/** Longest user name accepted (the column is varchar(255)). */
export const MAX_USER_NAME_LENGTH = 255;

/**
 * Normalises a user name as EspoCRM does: trimmed, lower case, spaces and every character
 * outside `[a-z0-9-@_.]` become `_`. Returns '' for an empty result.
 */
export function normalizeUserName(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9\-@_. ]/g, '_')
    .replace(/ /g, '_');
}
