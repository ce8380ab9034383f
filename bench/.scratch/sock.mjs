import pg from 'pg';
import { openPostgres, fmt } from '../lib/harness.mjs';
import { readdirSync } from 'node:fs';
const pgs = await openPostgres();
const u = new URL(pgs.serverUrl);
console.log(readdirSync('/tmp').filter((f) => f.startsWith('.s.PGSQL')));
for (const cfg of [{ connectionString: pgs.serverUrl }, { host: '/tmp', port: Number(u.port), user: 'postgres', password: decodeURIComponent(u.password), database: 'postgres' }]) {
  const c = new pg.Client(cfg); await c.connect();
  for (let i = 0; i < 300; i++) await c.query({ name: 'x', text: 'SELECT $1::int', values: [i] });
  const t = performance.now(); for (let i = 0; i < 3000; i++) await c.query({ name: 'x', text: 'SELECT $1::int', values: [i] });
  console.log(cfg.host ?? 'tcp', fmt((performance.now() - t) / 3000, 3), 'ms');
  await c.end();
}
await pgs.stop(); process.exit(0);
