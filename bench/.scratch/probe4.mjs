import { openPostgres, createDatabase, sqlClient, fmt, DIST } from '../lib/harness.mjs';
import { seedUser, seedSessions } from '../lib/seed.mjs';
import { sha256Hex } from '../lib/harness.mjs';
const pgs = await openPostgres();
const dbUrl = await createDatabase(pgs.serverUrl);
const { createDemoApp } = await import(DIST + '/demo/create-demo-app.js');
const app = await createDemoApp({
  databaseUrl: dbUrl,
  siteUrl: 'http://127.0.0.1:1',
  secretKey: 'a'.repeat(64),
  logger: false,
});
const db = await sqlClient(dbUrl);
const uid = await seedUser(db, 'probe');
const tokens = await seedSessions(db, uid, 2000);
const q = `SELECT s.id, s.method, s.user_id, s.idp_issuer, s.idp_subject, s.idp_sid, s.expires_at, s.revoked_at, s.last_seen_at, u.user_name, u.is_admin, u.is_active, u.email_address, u.phone_number, u.first_name, u.middle_name, u.last_name FROM auth_session s JOIN auth_user u ON u.id = s.user_id WHERE s.token_hash = $1`;
for (const mode of ['unnamed', 'named', 'unnamed', 'named']) {
  const mk = (i) => ({
    text: q,
    values: [sha256Hex(tokens[i % 2000])],
    ...(mode === 'named' ? { name: 'auth_session_by_token' } : {}),
  });
  for (let i = 0; i < 100; i++) await db.query(mk(i));
  const t = performance.now();
  for (let i = 0; i < 1000; i++) await db.query(mk(i));
  console.log(mode, fmt((performance.now() - t) / 1000, 3));
}
await db.end();
await app.close();
await pgs.stop();
process.exit(0);
