// Back-channel logout: valid logout tokens (RS256, unique jti, each naming one live IdP
// session by sid) processed per second against 11,500 sessions, and their latency p99.
import autocannon from 'autocannon';
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
import { postgresCpuUs } from './lib/cpu.mjs';
import { seedSessions, seedUser } from './lib/seed.mjs';

// 11,500 sessions in all, each revoked once: 1,500 while warming up, 10,000 measured.
const WARM = SMOKE ? 20 : 1_500;
const MEASURED = SMOKE ? 60 : 10_000;
const CONCURRENCY = 8;

export function postLogout(app, token) {
  return request(`${app.url}/api/v1/backchannelLogout`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `logout_token=${token}`,
  });
}

export async function backchannel({ serverUrl }) {
  const databaseUrl = await createDatabase(serverUrl, 'backchannel');
  // The figure is for synchronous commit (the embedded server turns it off globally).
  const admin = await sqlClient(serverUrl);
  await admin.query(
    `ALTER DATABASE "${new URL(databaseUrl).pathname.slice(1)}" SET synchronous_commit = ${process.env.BENCH_SYNC_COMMIT === 'off' ? 'off' : 'on'}`,
  );
  await admin.end();
  const op = await startFakeOp();
  const app = await startApp({ databaseUrl });
  try {
    await configureOidc(app, await adminToken(app), putSettings, op);
    const db = await sqlClient(databaseUrl);
    const total = WARM + MEASURED;
    const userId = await seedUser(db, 'bench-bcl', { issuer: op.issuer, subject: 'bcl-sub' });
    await seedSessions(db, userId, total, {
      issuer: op.issuer,
      subject: 'bcl-sub',
      sidPrefix: 'bcl-sid-',
    });
    // Signed before the clock starts: the OP's RSA signing is not the app's cost.
    const tokens = Array.from({ length: total }, (_, i) =>
      op.logoutToken({ sub: 'bcl-sub', sid: `bcl-sid-${i}` }),
    );
    // Fresh statistics, as a live table has them (without, the planner guesses and the rate halves).
    await db.query('ANALYZE auth_session');
    await db.query('ANALYZE auth_user');
    const { rows: settings } = await db.query(
      `SELECT current_setting('synchronous_commit') AS sync, current_setting('fsync') AS fsync`,
    );
    note(`${total} logout tokens signed`);
    const send = (offset) => async (i) => {
      const response = await postLogout(app, tokens[offset + i]);
      if (response.status !== 200)
        throw new Error(`back-channel logout answered ${response.status} ${response.body}`);
    };
    const warm = await runLoad({ concurrency: CONCURRENCY, total: WARM, task: send(0) });
    if (warm.errors) throw warm.firstError;
    // autocannon drives the measured part: a lighter client leaves the 2 cores to app and Postgres.
    let next = WARM;
    let lastResponseAt = 0;
    const appCpuBefore = await app.call('cpu');
    const postgresCpuBefore = postgresCpuUs();
    const startedAt = performance.now();
    const cannon = await new Promise((resolveRun, reject) => {
      const instance = autocannon(
        {
          url: `${app.url}/api/v1/backchannelLogout`,
          connections: CONCURRENCY,
          amount: MEASURED,
          requests: [
            {
              method: 'POST',
              path: '/api/v1/backchannelLogout',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              setupRequest: (req) => ({ ...req, body: `logout_token=${tokens[next++]}` }),
            },
          ],
        },
        (error, result) => (error ? reject(error) : resolveRun(result)),
      );
      // autocannon notices the end of an `amount` run on its 1 s tick: time the last answer instead.
      instance.on('response', () => (lastResponseAt = performance.now()));
    });
    if (cannon.non2xx || cannon.errors)
      throw new Error(`${cannon.non2xx} non-2xx answers, ${cannon.errors} errors`);
    const elapsedS = (lastResponseAt - startedAt) / 1000;
    const postgresUs = (postgresCpuUs() - postgresCpuBefore) / cannon.requests.total;
    const appUs = ((await app.call('cpu')) - appCpuBefore) / cannon.requests.total;
    const result = {
      count: cannon.requests.total,
      rate: cannon.requests.total / elapsedS,
      p50: cannon.latency.p50,
      p99: cannon.latency.p99,
      max: cannon.latency.max,
    };
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM auth_session WHERE revoked_at IS NOT NULL`,
    );
    await db.end();
    if (rows[0].n !== total) throw new Error(`${rows[0].n} sessions revoked, expected ${total}`);
    figure(
      'back-channel logout rate',
      `${fmt(result.rate, 0)}/s`,
      '>= 1500/s',
      result.rate >= 1500,
      `${result.count} valid RS256 logout tokens in ${fmt(elapsedS, 2)} s (unique jti, one session each by sid) against ${total} sessions (ANALYZEd), ${CONCURRENCY} in parallel; synchronous_commit=${settings[0].sync}, fsync=${settings[0].fsync}; CPU per logout: app ${fmt(appUs, 0)} µs, PostgreSQL ${fmt(postgresUs, 0)} µs`,
    );
    figure(
      'back-channel logout p99',
      `${fmt(result.p99)} ms`,
      '<= 20 ms',
      result.p99 <= 20,
      `p50 ${fmt(result.p50)} ms, max ${fmt(result.max)} ms, same run`,
    );
    return { rate: result.rate, p99: result.p99 };
  } finally {
    await app.stop();
    await op.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(backchannel);
