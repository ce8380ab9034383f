// `npm run bench`: every benchmark, one after the other, each in its own process on one
// Postgres server (embedded unless DATABASE_URL is set); prints every figure line again at the end.
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fmt, openPostgres, requireBuild, ROOT } from './lib/harness.mjs';

export const SCRIPTS = [
  'guard-overhead.mjs',
  'login-cost.mjs',
  'providers.mjs',
  'backchannel.mjs',
  'scale.mjs',
  'jwks.mjs',
  'revocation.mjs',
  'profile-guard.mjs',
  'profile-login.mjs',
];

function run(script, env) {
  return new Promise((done) => {
    const lines = [];
    const child = spawn(process.execPath, [resolve(ROOT, 'bench', script)], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.setEncoding('utf8');
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop();
      lines.push(...parts.filter((line) => line.startsWith('FIGURE ')));
    });
    child.on('exit', (code) => done({ code, lines }));
  });
}

requireBuild();
const started = performance.now();
// The load average says whether anything else competed for the cores during the run.
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
console.log(
  `bench: node ${process.version}, ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, load average ${load()}`,
);
const postgres = await openPostgres();
console.log(`bench: Postgres ${postgres.embedded ? 'embedded (temporary)' : 'from DATABASE_URL'}`);
const env = { ...process.env, BENCH_PG_SERVER: postgres.serverUrl };
const figures = [];
let failed = 0;
try {
  for (const script of SCRIPTS) {
    console.log(`\n== ${script}`);
    const { code, lines } = await run(script, env);
    figures.push(...lines);
    if (code !== 0) {
      failed++;
      figures.push(`FAILED ${script} (exit ${code})`);
    }
  }
} finally {
  await postgres.stop().catch(() => undefined);
}
console.log(
  `\n== summary (${fmt((performance.now() - started) / 1000, 0)} s, load average at the end ${load()})`,
);
for (const line of figures) console.log(line);
process.exit(failed ? 1 : 0);
