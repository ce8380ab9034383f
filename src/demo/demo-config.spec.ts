import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoConfigFromEnv, listenHostFor } from './demo-config.js';

const base = () => ({
  AUTH_SECRET_KEY: 'a'.repeat(64),
  AUTH_DATA_DIR: mkdtempSync(join(tmpdir(), 'demo-config-')),
});

describe('demo config', () => {
  it('without AUTH_SITE_URL the site URL is the address it listens on', () => {
    const config = demoConfigFromEnv({ ...base(), PORT: '4321' });
    expect(config.siteUrl).toBe('http://127.0.0.1:4321');
    expect(config.listenHost).toBe('127.0.0.1');
  });

  it.each([
    ['http://localhost:3000', 'localhost'],
    ['http://127.0.0.2:3000', '127.0.0.2'],
    ['http://[::1]:3000', '::1'],
    ['https://app.example.com', '127.0.0.1'],
  ])('a site URL of %s is listened on at %s', (siteUrl, host) => {
    expect(listenHostFor(siteUrl)).toBe(host);
    expect(demoConfigFromEnv({ ...base(), AUTH_SITE_URL: siteUrl }).listenHost).toBe(host);
  });

  it('HOST overrides the listening address', () => {
    expect(demoConfigFromEnv({ ...base(), HOST: '0.0.0.0' }).listenHost).toBe('0.0.0.0');
  });

  it('LOG_FORMAT is text by default, json on request, and refuses anything else', () => {
    expect(demoConfigFromEnv(base()).logFormat).toBe('text');
    expect(demoConfigFromEnv({ ...base(), LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => demoConfigFromEnv({ ...base(), LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
  });
});
