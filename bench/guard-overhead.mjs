// Guard overhead: req/s of GET /api/v1/hello/me (valid session) ÷ req/s of GET /api/v1/hello
// (public), same app process, same run, 50 connections, interleaved rounds.
import autocannon from 'autocannon';
import {
  benchMain,
  createDatabase,
  figure,
  fmt,
  note,
  SMOKE,
  sqlClient,
  startApp,
} from './lib/harness.mjs';
import { seedSessions, seedUser } from './lib/seed.mjs';

const CONNECTIONS = 50;
const SEGMENT_S = SMOKE ? 0.3 : 2;
const ROUNDS = SMOKE ? 1 : 6;
const ROTATED = SMOKE ? 200 : 10_000;

function cannon(url, path, { headers = {}, rotate } = {}, seconds = SEGMENT_S) {
  let i = 0;
  const requests = rotate
    ? [
        {
          method: 'GET',
          path,
          setupRequest: (req) => ({
            ...req,
            headers: { ...req.headers, authorization: `Bearer ${rotate[i++ % rotate.length]}` },
          }),
        },
      ]
    : undefined;
  return autocannon({
    url: `${url}${path}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers,
    requests,
  });
}

export async function guardOverhead({ serverUrl }) {
  const databaseUrl = await createDatabase(serverUrl, 'guard');
  const app = await startApp({ databaseUrl });
  try {
    const db = await sqlClient(databaseUrl);
    const userId = await seedUser(db, 'bench-guard');
    const tokens = await seedSessions(db, userId, ROTATED);
    await db.end();
    const hot = { authorization: `Bearer ${tokens[0]}` };
    // A header on the public route too, so client-side cost is the same on both sides.
    const variants = {
      hello: ['/api/v1/hello', { headers: hot }],
      me: ['/api/v1/hello/me', { headers: hot }],
      helloRot: ['/api/v1/hello', { rotate: tokens }],
      meRot: ['/api/v1/hello/me', { rotate: tokens }],
    };
    note(`warming up (${ROTATED} sessions seeded)`);
    for (const [path, options] of Object.values(variants))
      await cannon(app.url, path, options, SMOKE ? 0.2 : 2);
    const totals = Object.fromEntries(
      Object.keys(variants).map((k) => [k, { req: 0, s: 0, p50: [] }]),
    );
    for (let round = 0; round < ROUNDS; round++) {
      for (const [key, [path, options]] of Object.entries(variants)) {
        const result = await cannon(app.url, path, options);
        if (result.non2xx || result.errors)
          throw new Error(`${key}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        totals[key].req += result.requests.total;
        totals[key].s += result.duration;
        totals[key].p50.push(result.latency.p50);
      }
    }
    const rate = (key) => totals[key].req / totals[key].s;
    const ratio = rate('me') / rate('hello');
    const ratioRot = rate('meRot') / rate('helloRot');
    const stats = await app.call('stats');
    figure(
      'guard overhead (one hot session)',
      fmt(ratio, 3),
      '>= 0.90',
      ratio >= 0.9,
      `hello/me ${fmt(rate('me'), 0)} req/s ÷ hello ${fmt(rate('hello'), 0)} req/s, ${CONNECTIONS} connections, ${ROUNDS}x${SEGMENT_S}s interleaved`,
    );
    figure(
      'guard overhead (many sessions rotated)',
      fmt(ratioRot, 3),
      'none (informative: the 0.90 target is for a valid session above)',
      undefined,
      `hello/me ${fmt(rate('meRot'), 0)} req/s ÷ hello ${fmt(rate('helloRot'), 0)} req/s, ${ROTATED} distinct tokens; cache hits ${stats.cache.hits}, misses ${stats.cache.misses}, listener connections ${stats.listener.connections}`,
    );
    return { ratio, ratioRot };
  } finally {
    await app.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(guardOverhead);
