// Scale: guard p50 latency with 1,000,000 sessions / 100,000 users in the database ÷ the same
// with 1,000 sessions, measured on the database path (session cache off, distinct tokens
// rotated, so every request is an index lookup); then back-channel logout by `sub` at that size.
import { randomBytes } from 'node:crypto';
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
import { configureOidc, startFakeOp } from './lib/fake-op.mjs';
import { scaleToken, seedScale } from './lib/seed.mjs';

const USERS = SMOKE ? 1_000 : 100_000;
const SMALL = 1_000;
const LARGE = SMOKE ? 5_000 : 1_000_000;
const ROTATED = SMOKE ? 500 : 10_000;
const GUARD_MS = SMOKE ? 500 : 6_000;
const LOGOUTS = SMOKE ? 20 : 1_000;
const CONCURRENCY = 1;
const LOGOUT_CONCURRENCY = 8;

/** Distinct session numbers in 1..max, spread over the whole range. */
function sample(max, count) {
  const picked = new Set();
  while (picked.size < Math.min(count, max)) picked.add(1 + Math.floor(Math.random() * max));
  return [...picked];
}

async function guardP50(app, salt, numbers) {
  const url = `${app.url}/api/v1/hello/me`;
  const tokens = numbers.map((n) => scaleToken(salt, n));
  const run = () =>
    runLoad({
      concurrency: CONCURRENCY,
      durationMs: GUARD_MS,
      task: async (i) => {
        const response = await request(url, {
          headers: { authorization: `Bearer ${tokens[i % tokens.length]}` },
        });
        if (response.status !== 200) throw new Error(`hello/me answered ${response.status}`);
      },
    });
  await run(); // warm-up: connection pool, plan cache, Postgres buffers
  const result = await run();
  if (result.errors) throw result.firstError;
  return result;
}

export async function scale({ serverUrl }) {
  const databaseUrl = await createDatabase(serverUrl, 'scale');
  const op = await startFakeOp();
  const app = await startApp({ databaseUrl });
  const salt = randomBytes(4).toString('hex');
  try {
    await configureOidc(app, await adminToken(app), putSettings, op);
    await app.call('cacheOff');
    const db = await sqlClient(databaseUrl);
    let t0 = performance.now();
    await seedScale(db, {
      issuer: op.issuer,
      salt,
      users: USERS,
      sessionsFrom: 1,
      sessionsTo: SMALL,
      withUsers: true,
    });
    note(
      `seeded ${USERS} users + ${SMALL} sessions in ${fmt((performance.now() - t0) / 1000, 1)} s`,
    );
    const small = await guardP50(app, salt, sample(SMALL, SMALL));

    t0 = performance.now();
    await seedScale(db, {
      issuer: op.issuer,
      salt,
      users: USERS,
      sessionsFrom: SMALL + 1,
      sessionsTo: LARGE,
      withUsers: false,
    });
    const seedS = (performance.now() - t0) / 1000;
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM auth_session`);
    note(`seeded up to ${rows[0].n} sessions in ${fmt(seedS, 1)} s`);
    const large = await guardP50(app, salt, sample(LARGE, ROTATED));
    const ratio = large.p50 / small.p50;
    figure(
      'scale guard p50 ratio',
      fmt(ratio, 3),
      '<= 1.2',
      ratio <= 1.2,
      `${fmt(large.p50, 3)} ms with ${rows[0].n} sessions/${USERS} users ÷ ${fmt(small.p50, 3)} ms with ${SMALL}; database path (session cache off), ${ROTATED} distinct tokens rotated, ${CONCURRENCY} connection; p99 ${fmt(large.p99)} vs ${fmt(small.p99)} ms`,
    );

    // Back-channel logout by sub at that size: every user has LARGE/USERS sessions to revoke.
    const tokens = sample(USERS, 2 * LOGOUTS).map((n) => op.logoutToken({ sub: `sub-${n}` }));
    const send = (offset) => async (i) => {
      const response = await request(`${app.url}/api/v1/backchannelLogout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `logout_token=${tokens[offset + i]}`,
      });
      if (response.status !== 200)
        throw new Error(`logout answered ${response.status} ${response.body}`);
    };
    // One after the other (the lookup cost at this size), then 8 in parallel (with queueing).
    const logout = await runLoad({ concurrency: 1, total: LOGOUTS, task: send(0) });
    const parallel = await runLoad({
      concurrency: LOGOUT_CONCURRENCY,
      total: LOGOUTS,
      task: send(LOGOUTS),
    });
    if (logout.errors || parallel.errors) throw logout.firstError ?? parallel.firstError;
    const revoked = await db.query(
      `SELECT count(*)::int AS n FROM auth_session WHERE revoked_at IS NOT NULL`,
    );
    await db.end();
    figure(
      'scale back-channel logout by sub p99',
      `${fmt(logout.p99)} ms`,
      '<= 20 ms',
      logout.p99 <= 20,
      `${logout.count} logout tokens (sub only, ${LARGE / USERS} sessions each) at ${rows[0].n} sessions, one at a time: p50 ${fmt(logout.p50)} ms; ${LOGOUT_CONCURRENCY} in parallel: ${fmt(parallel.rate, 0)}/s, p50 ${fmt(parallel.p50)} ms, p99 ${fmt(parallel.p99)} ms; ${revoked.rows[0].n} sessions revoked`,
    );
    return { ratio, p99: logout.p99 };
  } finally {
    await app.stop();
    await op.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(scale);
