// Runs every benchmark script in its tiny mode (BENCH_SMOKE=1) so they do not rot: each must
// exit 0 and print its figure lines. Speed is never asserted here (that is what bench/ is for).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');

const FIGURES: Record<string, string[]> = {
  'guard-overhead.mjs': [
    'guarded route ÷ bare (Bearer)',
    'guarded route ÷ bare /hello (Bearer)',
    'guarded route ÷ a no-op global guard (Bearer)',
    'a no-op global guard ÷ bare',
    'bare /hello/me ÷ bare /hello',
    'guarded route ÷ bare (cookie)',
    '@Public() route ÷ bare',
    'demo app guarded route ÷ bare (Bearer)',
    'demo app guarded route ÷ bare (cookie)',
    'demo app @Public() route ÷ bare',
    'guarded route ÷ bare (10 000 sessions rotated)',
    'peer passport-jwt (KeyObject secret) ÷ bare',
    'peer passport-jwt (as the Nest docs) ÷ bare',
    'peer express-session + connect-pg-simple (disableTouch) ÷ bare',
    'peer express-session + connect-pg-simple (default) ÷ bare',
  ],
  'login-cost.mjs': [
    'login throughput',
    'logins/s ÷ openid-client 6 + passport, memory sessions',
    'logins/s ÷ express-openid-connect',
    'logins/s ÷ openid-client 6 + passport, connect-pg-simple',
    'login time (app side)',
    'login database round trips',
  ],
  'profile-login.mjs': ['login CPU per login (profile)'],
  'providers.mjs': [
    'providers guard ratio 50 vs 1',
    'providers guard ÷ bare (1 provider)',
    'providers guard ÷ bare (50 providers)',
    'providers login ratio 50 vs 1',
    'providers login ratio 50 (through default) vs 1',
    'providers login time 50 vs 1',
    'providers login database round trips 50 vs 1',
  ],
  'backchannel.mjs': ['back-channel logout rate', 'back-channel logout p99'],
  'scale.mjs': ['scale guard p50 ratio', 'scale back-channel logout by sub p99'],
  'jwks.mjs': ['JWKS fetches during steady-state logins', 'JWKS fetches during unknown-kid flood'],
  'revocation.mjs': ['revocation across two instances p99'],
  'profile-guard.mjs': ['guarded route CPU per request (profile)'],
};

describe.concurrent('benchmark scripts in smoke mode', () => {
  beforeAll(async () => {
    // The scripts run the compiled code; tsc still emits when a file elsewhere has a type error.
    await run(
      process.execPath,
      [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
      },
    ).catch(() => undefined);
  }, 120_000);

  for (const [script, names] of Object.entries(FIGURES)) {
    it(`${script} prints its figures`, async () => {
      const { stdout } = await run(process.execPath, [resolve(ROOT, 'bench', script)], {
        cwd: ROOT,
        env: {
          ...process.env,
          BENCH_SMOKE: '1',
          BENCH_QUIET: '1',
          BENCH_PG_SERVER: inject('databaseUrl'),
        },
        // Generous: a busy machine makes it slow, never wrong (speed is not what this checks).
        timeout: 280_000,
      });
      const lines = stdout.split('\n').filter((line) => line.startsWith('FIGURE '));
      for (const name of names)
        expect(lines.some((line) => line.startsWith(`FIGURE ${name}: `))).toBe(true);
      for (const line of lines) expect(line).toMatch(/\| target .+ \| (PASS|MISS|INFO)/);
    }, 300_000);
  }
});
