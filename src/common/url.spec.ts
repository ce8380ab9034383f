import { describe, expect, it } from 'vitest';
import { isAllowedIdpUrl, isLoopbackHost, safeReturnTo } from './url.js';

describe('safeReturnTo', () => {
  it('keeps a path on the site with its query and fragment', () => {
    expect(safeReturnTo('/')).toBe('/');
    expect(safeReturnTo('/admin')).toBe('/admin');
    expect(safeReturnTo('/a/b?x=1&y=%20#frag')).toBe('/a/b?x=1&y=%20#frag');
  });

  it.each([
    ['absolute URL', 'https://evil.example/x'],
    ['protocol-relative', '//evil.example/x'],
    ['backslash trick', '/\\evil.example'],
    ['encoded slash trick', '/%2F/evil.example'],
    ['dot segment collapsing to //host', '/.//evil.example'],
    ['dot segments collapsing to //', '/.//'],
    ['parent segment collapsing to //host', '/a/..//evil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['relative path', 'admin'],
    ['tab inside', '/\t/evil.example'],
    ['newline inside', '/x\ny'],
    ['space', '/a b'],
    ['empty', ''],
    ['too long', `/${'a'.repeat(2048)}`],
    ['bad percent encoding', '/%E0%A4%A'],
  ])('replaces a %s with /', (_label, value) => {
    expect(safeReturnTo(value)).toBe('/');
  });

  it('replaces non-strings with /', () => {
    expect(safeReturnTo(undefined)).toBe('/');
    expect(safeReturnTo(['/a'])).toBe('/');
    expect(safeReturnTo(5)).toBe('/');
  });

  it('normalises dot segments but stays on the site', () => {
    expect(safeReturnTo('/a/../b')).toBe('/b');
    expect(safeReturnTo('/../../etc')).toBe('/etc');
  });
});

describe('isLoopbackHost / isAllowedIdpUrl', () => {
  it('accepts loopback hosts only', () => {
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.1.2.3')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost.evil.example')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.evil.example')).toBe(false);
  });

  it('wants https except on loopback, and no credentials', () => {
    expect(isAllowedIdpUrl('https://idp.example.com/realms/x')).toBe(true);
    expect(isAllowedIdpUrl('http://127.0.0.1:8080/x')).toBe(true);
    expect(isAllowedIdpUrl('http://idp.example.com')).toBe(false);
    expect(isAllowedIdpUrl('https://user:pw@idp.example.com')).toBe(false);
    expect(isAllowedIdpUrl('ftp://idp.example.com')).toBe(false);
    expect(isAllowedIdpUrl('not a url')).toBe(false);
  });
});
