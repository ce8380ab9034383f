import { describe, expect, it } from 'vitest';
import { isBlankUserName, normalizeUserName } from './user-name.js';

describe('normalizeUserName', () => {
  // The cases of EspoCRM's own unit test (tests/unit/.../Oidc/SyncTest.php).
  it.each([
    ['test_name', 'test_name'],
    ['test|name', 'test_name'],
    ['test@name', 'test@name'],
    ['test name', 'test_name'],
  ])('EspoCRM example %j gives %j', (input, expected) => {
    expect(normalizeUserName(input)).toBe(expected);
  });

  it('lower-cases ASCII and keeps letters, digits, - @ _ .', () => {
    expect(normalizeUserName('John.Doe-1@Example.com')).toBe('john.doe-1@example.com');
    expect(normalizeUserName('DAVE')).toBe('dave');
  });

  it('replaces every byte of a non-ASCII character, never case-folds it', () => {
    expect(normalizeUserName('José')).toBe('jos__');
    expect(normalizeUserName('jöhn')).toBe('j__hn');
    // Kelvin sign (3 bytes) and dotted capital I (2 bytes) stay out of ASCII.
    expect(normalizeUserName('\u212Aate')).toBe('___ate');
    expect(normalizeUserName('İnes')).toBe('__nes');
    // A character outside the BMP is 4 bytes.
    expect(normalizeUserName('a😀b')).toBe('a____b');
  });

  it('does not trim: spaces and tabs become _', () => {
    expect(normalizeUserName(' Bob ')).toBe('_bob_');
    expect(normalizeUserName(' dave\t')).toBe('_dave_');
    expect(normalizeUserName('a\r\nb')).toBe('a__b');
  });

  it('treats empty and all-underscore results as blank', () => {
    expect(isBlankUserName(normalizeUserName(''))).toBe(true);
    expect(isBlankUserName(normalizeUserName('   '))).toBe(true);
    expect(isBlankUserName(normalizeUserName('日本'))).toBe(true);
    expect(isBlankUserName('_a_')).toBe(false);
  });
});
