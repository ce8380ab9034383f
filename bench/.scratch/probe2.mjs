import pg from 'pg';
import {
  openPostgres,
  createDatabase,
  sqlClient,
  fmt,
  DIST,
} from '/work/main/bench/lib/harness.mjs';
import { seedUser, seedSessions } from '/work/main/bench/lib/seed.mjs';
const pgs = await openPostgres();
const dbUrl = await createDatabase(pgs.serverUrl);
const { createDemoApp } = await import(DIST + '/demo/create-demo-app.js');
const { SessionsService } = await import(DIST + '/sessions/sessions.service.js');
const { SessionCache } = await import(DIST + '/sessions/session-cache.js');
const app = await createDemoApp({
  databaseUrl: dbUrl,
  siteUrl: 'http://127.0.0.1:1',
  secretKey: 'a'.repeat(64),
  logger: false,
});
const db = await sqlClient(dbUrl);
const uid = await seedUser(db, 'probe');
const tokens = await seedSessions(db, uid, 2000);
app.get(SessionCache).disable();
const s = app.get(SessionsService);
let log = [];
const orig = pg.Client.prototype.query;
pg.Client.prototype.query = function (q, ...rest) {
  const text = typeof q === 'string' ? q : q?.text;
  const t = performance.now();
  const r = orig.call(this, q, ...rest);
  if (r && r.then) r.then(() => log.push([performance.now() - t, text?.slice(0, 150)]));
  return r;
};
for (let i = 0; i < 200; i++) await s.authenticate(tokens[i]);
log = [];
const t = performance.now();
for (let i = 200; i < 1200; i++) await s.authenticate(tokens[i]);
console.log('per authenticate ms', fmt((performance.now() - t) / 1000, 3), 'queries', log.length);
const agg = new Map();
for (const [ms, text] of log) {
  const a = agg.get(text) ?? [0, 0];
  a[0]++;
  a[1] += ms;
  agg.set(text, a);
}
for (const [text, [n, ms]] of agg) console.log(n, fmt(ms / n, 3), text);
await db.end();
await app.close();
await pgs.stop();
process.exit(0);
