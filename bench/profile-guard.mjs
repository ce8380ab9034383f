// Where the microseconds of a guarded request go: CPU profiles (node --cpu-prof) of the demo
// app serving GET /hello/me (one hot Bearer session) and of the bare Nest app serving /hello,
// under the same load; busy CPU per request, and the module's own share by folder and function.
import autocannon from 'autocannon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchMain, createDatabase, figure, fmt, note, SMOKE, sqlClient } from './lib/harness.mjs';
import { startPeer } from './lib/peers.mjs';
import { readProfile } from './lib/profile.mjs';
import { seedSessions, seedUser } from './lib/seed.mjs';

const SECONDS = SMOKE ? 0.3 : 6;
const CONNECTIONS = 50;

const load = (url, path, headers, seconds = SECONDS) =>
  autocannon({ url: `${url}${path}`, connections: CONNECTIONS, duration: seconds, headers });

export async function profileGuard({ serverUrl }) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  const databaseUrl = await createDatabase(serverUrl, 'profile');
  // The host that imports the module and nothing else (bench/peers/module-host.mjs).
  const app = await startPeer({ peer: 'module-host', databaseUrl });
  const bare = await startPeer({ peer: 'bare' });
  try {
    const db = await sqlClient(databaseUrl);
    const [token] = await seedSessions(db, await seedUser(db, 'bench-profile'), 1);
    await db.end();
    const headers = { authorization: `Bearer ${token}` };
    await load(app.url, '/api/v1/hello/me', headers, SMOKE ? 0.2 : 2);
    await load(bare.url, '/api/v1/hello', headers, SMOKE ? 0.2 : 2);
    // One after the other, each profiled only while it is under load (inspector, over IPC).
    const measure = async (target, path, name) => {
      await target.call('profileStart');
      const result = await load(target.url, path, headers);
      await target.call('profileStop', { file: join(dir, `${name}.cpuprofile`) });
      if (result.non2xx || result.errors) throw new Error(`${name}: non-2xx answers`);
      return {
        profile: readProfile(join(dir, `${name}.cpuprofile`)),
        requests: result.requests.total,
      };
    };
    const guarded = await measure(app, '/api/v1/hello/me', 'module');
    const plain = await measure(bare, '/api/v1/hello', 'bare');
    const [m, mReq] = [guarded.profile, guarded.requests];
    const [b, bReq] = [plain.profile, plain.requests];
    const perReq = (us, n) => us / n;
    const ownPlaces = [...m.selfByPlace].filter(([place]) => place.startsWith('dist/src'));
    const ownUs = ownPlaces.reduce((sum, [, us]) => sum + us, 0);
    const guardUs = m.inclusive(
      (frame) => frame.functionName === 'canActivate' && frame.url.includes('/dist/src/'),
    );
    const gc = (p) => p.selfByPlace.get('(garbage collector)') ?? 0;
    const topOwn = [...m.selfByFunction]
      .filter(([name]) => name.includes('dist/src'))
      .sort((x, y) => y[1] - x[1])
      .slice(0, 6)
      .map(([name, us]) => `${name.replace(/ dist\/src\//, ' ')} ${fmt(perReq(us, mReq), 1)}`);
    const notOwn = [...m.selfByPlace]
      .filter(([place]) => !place.startsWith('dist/src') && place !== '(idle)')
      .sort((x, y) => y[1] - x[1])
      .slice(0, 6)
      .map(
        ([place, us]) =>
          `${place} ${fmt(perReq(us, mReq), 1)} (bare ${fmt(perReq(b.selfByPlace.get(place) ?? 0, bReq), 1)})`,
      );
    note(`profiles in ${dir}: node bench/profile-summary.mjs <file> for the full list`);
    figure(
      'guarded route CPU per request (profile)',
      `${fmt(perReq(m.busyUs, mReq), 0)} µs vs ${fmt(perReq(b.busyUs, bReq), 0)} µs bare`,
      'none (informative: where the microseconds go)',
      undefined,
      `busy CPU of the app process ÷ requests served (${mReq} GET /hello/me of a host app that imports the module and nothing else, a hot Bearer session; ${bReq} GET /hello of the bare Nest app; ${CONNECTIONS} connections, ${SECONDS} s each, profiled in-process at 100 µs sampling during the load only); the module's own code ${fmt(perReq(ownUs, mReq), 1)} µs (${ownPlaces.map(([place, us]) => `${place.slice(9)} ${fmt(perReq(us, mReq), 1)}`).join(', ')}); SessionGuard.canActivate with callees ${fmt(perReq(guardUs, mReq), 1)} µs; GC ${fmt(perReq(gc(m), mReq), 1)} vs ${fmt(perReq(gc(b), bReq), 1)} µs; top own functions (µs): ${topOwn.join('; ')}; top other places (µs): ${notOwn.join('; ')}`,
    );
    if (!process.env.BENCH_KEEP_PROFILES) rmSync(dir, { recursive: true, force: true });
  } finally {
    await app.stop();
    await bare.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(profileGuard);
