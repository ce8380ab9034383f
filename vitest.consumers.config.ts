import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// `npm run test:consumers`: the packed tarball in host apps (test/consumers), apart from `npm test`.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: ['test/consumers/**/*.spec.ts'],
    exclude: ['test/consumers/hosts/**', 'node_modules/**', 'dist/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 900_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
  },
});
