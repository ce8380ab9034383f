import { describe, expect, it } from 'vitest';
import { normalizeUserName } from './user-name.js';

describe('normalizeUserName', () => {
  it('lower-cases and keeps allowed characters', () => {
    expect(normalizeUserName('John.Doe-1@Example.com')).toBe('john.doe-1@example.com');
  });

  it('turns spaces and other characters into underscores', () => {
    expect(normalizeUserName('Jöhn Doe/x')).toBe('j_hn_doe_x');
  });

  it('trims surrounding whitespace', () => {
    expect(normalizeUserName('  bob  ')).toBe('bob');
  });
});
