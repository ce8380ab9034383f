import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Browser tests: real chromium (Debian package) against the demo app and the local IdP.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['test/browser/**/*.spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    // Polls wait for a page to react; a busy machine is slow, so the bound is generous.
    expect: { poll: { timeout: 20_000 } },
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
  },
});
