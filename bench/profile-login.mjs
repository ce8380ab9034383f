// Where the CPU of one login goes: the module's demo app and openid-client 6 + passport (memory
// sessions) each profiled in-process while 8 browsers log in through the instant OP; busy CPU per
// login of the app process, of the PostgreSQL server processes (from /proc, Linux only) and of
// this process (the browsers and the OP), and the top places of the app's profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminToken,
  benchMain,
  createDatabase,
  figure,
  fmt,
  note,
  putSettings,
  request,
  runLoad,
  SMOKE,
  sqlClient,
  startApp,
} from './lib/harness.mjs';
import { configureOidc, oidcLogin, startFakeOp } from './lib/fake-op.mjs';
import { peerLogin, startPeer } from './lib/peers.mjs';
import { postgresCpuUs } from './lib/cpu.mjs';
import { readProfile } from './lib/profile.mjs';
import { seedUser } from './lib/seed.mjs';

const USERS = SMOKE ? 10 : 200;
const BROWSERS = 8;
const SECONDS = SMOKE ? 0.3 : 5;

export async function profileLogin({ serverUrl }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-login-'));
  const databaseUrl = await createDatabase(serverUrl, 'proflogin');
  const op = await startFakeOp();
  op.idTokenAlg = 'HS256';
  const app = await startApp({ databaseUrl });
  const peer = await startPeer({ peer: 'openid-client-passport', variant: 'memory', op });
  try {
    const db = await sqlClient(databaseUrl);
    for (let i = 0; i < USERS; i++) await seedUser(db, `bench-user-${i}`);
    await db.end();
    await configureOidc(app, await adminToken(app), putSettings, op);
    const browsers = Array.from({ length: BROWSERS }, () => ({ id: undefined }));
    const variants = {
      module: {
        target: app,
        task: (i) => oidcLogin(request, app, op, browsers[i % BROWSERS], `bench-user-${i % USERS}`),
      },
      peer: {
        target: peer,
        task: (i) => peerLogin(request, peer, op, `bench-user-${i % USERS}`, 'connect.sid'),
      },
    };
    const measured = {};
    for (const [name, { target, task }] of Object.entries(variants)) {
      const warm = await runLoad({ concurrency: BROWSERS, total: SMOKE ? 4 : 800, task });
      if (warm.errors) throw warm.firstError;
      await target.call('profileStart');
      const pg0 = postgresCpuUs();
      const own0 = process.cpuUsage();
      const run = await runLoad({ concurrency: BROWSERS, durationMs: SECONDS * 1000, task });
      const own = process.cpuUsage(own0);
      const pg = postgresCpuUs() - pg0;
      const file = join(dir, `${name}.cpuprofile`);
      await target.call('profileStop', { file });
      if (run.errors) throw run.firstError;
      measured[name] = {
        logins: run.count,
        rate: run.rate,
        profile: readProfile(file),
        pgUs: pg / run.count,
        ownUs: (own.user + own.system) / run.count,
      };
    }
    const line = (name) => {
      const { profile, logins, pgUs, ownUs, rate } = measured[name];
      const top = [...profile.selfByPlace]
        .filter(([place]) => place !== '(idle)')
        .sort((x, y) => y[1] - x[1])
        .slice(0, 10)
        .map(([place, us]) => `${place} ${fmt(us / logins, 0)}`)
        .join('; ');
      return `${fmt(rate, 0)} logins/s; app busy ${fmt(profile.busyUs / logins, 0)} µs, PostgreSQL ${fmt(pgUs, 0)} µs, browsers + OP ${fmt(ownUs, 0)} µs per login; app places (µs per login): ${top}`;
    };
    note(`profiles in ${dir}: node bench/profile-summary.mjs <file> for the full list`);
    figure(
      'login CPU per login (profile)',
      `app ${fmt(measured.module.profile.busyUs / measured.module.logins, 0)} µs + PostgreSQL ${fmt(measured.module.pgUs, 0)} µs vs peer ${fmt(measured.peer.profile.busyUs / measured.peer.logins, 0)} µs`,
      'none (informative: where the microseconds go)',
      undefined,
      `${BROWSERS} browsers, ${SECONDS} s each, profiled in-process at 100 µs sampling during the load only; module: ${line('module')} || openid-client 6 + passport, memory: ${line('peer')}`,
    );
    if (!process.env.BENCH_KEEP_PROFILES) rmSync(dir, { recursive: true, force: true });
  } finally {
    await app.stop();
    await peer.stop();
    await op.stop?.();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(profileLogin);
