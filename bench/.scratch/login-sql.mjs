import {
  openPostgres,
  createDatabase,
  startApp,
  request,
  runLoad,
  sqlClient,
  fmt,
  adminToken,
  putSettings,
} from '../lib/harness.mjs';
import { configureOidc, oidcLogin, startFakeOp } from '../lib/fake-op.mjs';
import { seedUser, seedSessions } from '../lib/seed.mjs';
const pgs = await openPostgres();
const dbUrl = await createDatabase(pgs.serverUrl);
const op = await startFakeOp();
const app = await startApp({ databaseUrl: dbUrl, env: { BENCH_TRACE_SQL: '1' } });
const db = await sqlClient(dbUrl);
for (let i = 0; i < 20; i++) await seedUser(db, `bench-user-${i}`);
await configureOidc(app, await adminToken(app), putSettings, op);
const browser = {};
for (let i = 0; i < 40; i++) await oidcLogin(request, app, op, browser, `bench-user-${i % 20}`);
await app.call('sql');
const r = await runLoad({
  concurrency: 1,
  total: 200,
  task: (i) => oidcLogin(request, app, op, browser, `bench-user-${i % 20}`),
});
console.log('login p50', fmt(r.p50), 'p99', fmt(r.p99));
for (const row of await app.call('sql')) console.log(row.count, fmt(row.avgMs, 3), row.text);
const uid = await seedUser(db, 'probe');
const tokens = await seedSessions(db, uid, 1000, {
  issuer: op.issuer,
  subject: 'probe',
  sidPrefix: 's-',
});
const lt = tokens.map((_, i) => op.logoutToken({ sub: 'probe', sid: `s-${i}` }));
await app.call('sql');
const b = await runLoad({
  concurrency: 1,
  total: 300,
  task: async (i) => {
    const x = await request(`${app.url}/api/v1/backchannelLogout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `logout_token=${lt[i]}`,
    });
    if (x.status !== 200) throw new Error(x.body);
  },
});
console.log('bcl p50', fmt(b.p50), 'p99', fmt(b.p99), b.errors, b.firstError);
for (const row of await app.call('sql')) console.log(row.count, fmt(row.avgMs, 3), row.text);
await db.end();
await app.stop();
await op.stop();
await pgs.stop();
process.exit(0);
