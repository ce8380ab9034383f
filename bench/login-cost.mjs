// Login cost: complete OIDC logins per second and app-side time per login (p50, p99), driving
// /auth/oidc/login then /auth/oidc/callback over HTTP against an in-process OP that answers
// instantly (ID tokens HS256, signed per login with the nonce of that login).
import {
  adminToken,
  benchMain,
  createDatabase,
  figure,
  fmt,
  note,
  putSettings,
  quantile,
  request,
  runLoad,
  SMOKE,
  sqlClient,
  startApp,
} from './lib/harness.mjs';
import { configureOidc, oidcLogin, startFakeOp } from './lib/fake-op.mjs';
import { seedUser } from './lib/seed.mjs';

const USERS = SMOKE ? 10 : 200;
const BROWSERS = 8;
const THROUGHPUT_MS = SMOKE ? 800 : 10_000;
const SERIAL_LOGINS = SMOKE ? 10 : 400;

export async function loginCost({ serverUrl }) {
  const databaseUrl = await createDatabase(serverUrl, 'login');
  const op = await startFakeOp();
  const app = await startApp({ databaseUrl });
  try {
    // Existing users (the first-login user creation with its scrypt hash is not the steady state).
    const db = await sqlClient(databaseUrl);
    for (let i = 0; i < USERS; i++) await seedUser(db, `bench-user-${i}`);
    await db.end();
    await configureOidc(app, await adminToken(app), putSettings, op);
    op.idTokenAlg = 'HS256';
    const browsers = Array.from({ length: BROWSERS }, () => ({ id: undefined }));
    const login = (i, browser) => oidcLogin(request, app, op, browser, `bench-user-${i % USERS}`);

    note('warming up');
    const warm = await runLoad({
      concurrency: BROWSERS,
      total: SMOKE ? 16 : 600,
      task: (i) => login(i, browsers[i % BROWSERS]),
    });
    if (warm.errors) throw warm.firstError;

    await app.call('serverTimes');
    const serial = await runLoad({
      concurrency: 1,
      total: SERIAL_LOGINS,
      task: (i) => login(i, browsers[0]),
    });
    // Sequential logins alternate start/callback: pair them into app-side time per login.
    const times = await app.call('serverTimes');
    const perLogin = [];
    for (let i = 0; i + 1 < times.length; i += 2) {
      if (!times[i][0].includes('/login') || !times[i + 1][0].includes('/callback'))
        throw new Error('unexpected request order');
      perLogin.push(times[i][1] + times[i + 1][1]);
    }
    perLogin.sort((x, y) => x - y);
    const part = (what) =>
      quantile(
        times
          .filter(([url]) => url.includes(what))
          .map(([, ms]) => ms)
          .sort((x, y) => x - y),
        0.5,
      );
    const appP50 = quantile(perLogin, 0.5);
    const appP99 = quantile(perLogin, 0.99);
    const parallel = await runLoad({
      concurrency: BROWSERS,
      durationMs: THROUGHPUT_MS,
      task: (i) => login(i, browsers[i % BROWSERS]),
    });
    if (serial.errors || parallel.errors) throw serial.firstError ?? parallel.firstError;
    const stats = await app.call('stats');
    figure(
      'login throughput',
      `${fmt(parallel.rate, 0)} logins/s`,
      '>= 300 logins/s',
      parallel.rate >= 300,
      `${parallel.count} complete OIDC logins in ${fmt(parallel.elapsedMs / 1000, 1)} s, ${BROWSERS} browsers in parallel, HS256 ID tokens`,
    );
    figure(
      'login time (app side)',
      `p50 ${fmt(appP50)} ms, p99 ${fmt(appP99)} ms`,
      'p50 <= 5 ms',
      appP50 <= 5,
      `${perLogin.length} sequential logins, start + callback measured in the app process (request in to answer out, incl. the token request to the instant OP; start p50 ${fmt(part('/login'))} ms, callback p50 ${fmt(part('/callback'))} ms); seen by the client p50 ${fmt(serial.p50)} ms p99 ${fmt(serial.p99)} ms; under load (${BROWSERS} parallel, client side) p50 ${fmt(parallel.p50)} ms p99 ${fmt(parallel.p99)} ms; JWKS fetches ${stats.jwksFetches}`,
    );
    return { rate: parallel.rate, p50: appP50, p99: appP99 };
  } finally {
    await app.stop();
    await op.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(loginCost);
