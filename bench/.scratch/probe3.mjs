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
const h = sha256Hex(tokens[5]);
const q = `SELECT s.*, u.* FROM auth_session s JOIN auth_user u ON u.id = s.user_id WHERE s.token_hash = $1`;
for (const sql of [q, 'SELECT 1']) {
  for (let i = 0; i < 50; i++)
    await db.query(sql.includes('$1') ? { text: sql, values: [h] } : sql);
  const t = performance.now();
  for (let i = 0; i < 500; i++)
    await db.query(sql.includes('$1') ? { text: sql, values: [h] } : sql);
  console.log(fmt((performance.now() - t) / 500, 3), sql.slice(0, 40));
}
const r = await db.query({ text: 'EXPLAIN (ANALYZE, BUFFERS) ' + q, values: [h] });
console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
await db.end();
await app.close();
await pgs.stop();
process.exit(0);
