// Login cost: complete OIDC logins per second of the module and of the peers (openid-client 6 +
// passport with memory or connect-pg-simple sessions, express-openid-connect), all alive at once,
// in alternating rounds; app-side time per login (sequential p50); database round trips and
// commits of one login. One instant in-process OP (HS256 ID tokens, signed per login with its nonce).
import {
  adminToken,
  alternatingRounds,
  benchMain,
  createDatabase,
  figure,
  fmt,
  median,
  note,
  perLoginTimes,
  putSettings,
  quantile,
  request,
  roundRatios,
  runLoad,
  SMOKE,
  sqlClient,
  startApp,
} from './lib/harness.mjs';
import { configureOidc, oidcLogin, startFakeOp } from './lib/fake-op.mjs';
import { countRoundTrips } from './lib/login-trace.mjs';
import { peerLogin, peerSignedIn, startPeers } from './lib/peers.mjs';
import { seedUser } from './lib/seed.mjs';

const USERS = SMOKE ? 10 : 200;
const BROWSERS = 8;
const ROUNDS = SMOKE ? 1 : Number(process.env.BENCH_LOGIN_ROUNDS ?? 10);
const SEGMENT_MS = SMOKE ? 300 : 2_500;
const SERIAL_LOGINS = SMOKE ? 4 : 400;
const TRACED_LOGINS = SMOKE ? 3 : 50;

/** Peers of the login figure: [key, peer, variant, session cookie, label]. */
const PEERS = [
  [
    'ocpMemory',
    'openid-client-passport',
    'memory',
    'connect.sid',
    'openid-client 6 + passport, memory sessions',
  ],
  ['eoc', 'express-openid-connect', undefined, 'appSession', 'express-openid-connect'],
  [
    'ocpPg',
    'openid-client-passport',
    'pg',
    'connect.sid',
    'openid-client 6 + passport, connect-pg-simple',
  ],
];

export async function loginCost({ serverUrl }) {
  const databaseUrl = await createDatabase(serverUrl, 'login');
  const peerDatabaseUrl = await createDatabase(serverUrl, 'loginpeers');
  const op = await startFakeOp();
  op.idTokenAlg = 'HS256';
  const app = await startApp({ databaseUrl, env: SMOKE ? { BENCH_TRACE_SQL: '1' } : {} });
  const peers = {};
  try {
    await startPeers(
      Object.fromEntries(
        PEERS.map(([key, peer, variant]) => [
          key,
          { peer, variant, databaseUrl: peerDatabaseUrl, op },
        ]),
      ),
      peers,
    );
    // Existing users (the first-login user creation with its scrypt hash is not the steady state).
    const db = await sqlClient(databaseUrl);
    for (let i = 0; i < USERS; i++) await seedUser(db, `bench-user-${i}`);
    await db.end();
    await configureOidc(app, await adminToken(app), putSettings, op);
    const browsers = Array.from({ length: BROWSERS }, () => ({ id: undefined }));
    const logins = {
      module: (i) => oidcLogin(request, app, op, browsers[i % BROWSERS], `bench-user-${i % USERS}`),
    };
    for (const [key, , , cookie] of PEERS)
      logins[key] = (i) => peerLogin(request, peers[key], op, `bench-user-${i % USERS}`, cookie);
    // Each peer's login really signs in (its guarded route accepts the session).
    for (const [key, , , cookie] of PEERS)
      if (!(await peerSignedIn(request, peers[key], await logins[key](0))))
        throw new Error(`${peers[key].name}: the session of a login is not accepted`);

    note('warming up');
    for (const task of Object.values(logins)) {
      const warm = await runLoad({ concurrency: BROWSERS, total: SMOKE ? 4 : 600, task });
      if (warm.errors) throw warm.firstError;
    }

    // Sequential logins, timed inside each process (request in to answer out).
    await app.call('serverTimes');
    const serial = await runLoad({ concurrency: 1, total: SERIAL_LOGINS, task: logins.module });
    if (serial.errors) throw serial.firstError;
    const times = await app.call('serverTimes');
    const perLogin = perLoginTimes(times, '/login', '/callback');
    const part = (what) =>
      quantile(
        times
          .filter(([url]) => url.includes(what))
          .map(([, ms]) => ms)
          .sort((x, y) => x - y),
        0.5,
      );
    const peerP50 = {};
    for (const [key] of PEERS) {
      await peers[key].call('serverTimes');
      const run = await runLoad({ concurrency: 1, total: SERIAL_LOGINS / 2, task: logins[key] });
      if (run.errors) throw run.firstError;
      peerP50[key] = quantile(
        perLoginTimes(await peers[key].call('serverTimes'), '/login', '/callback'),
        0.5,
      );
    }

    // Throughput: every variant once per round, order shuffled, 8 browsers each.
    note(`${ROUNDS} rounds of ${Object.keys(logins).length} x ${SEGMENT_MS} ms`);
    const rates = await alternatingRounds(Object.keys(logins), ROUNDS, async (key) => {
      const run = await runLoad({
        concurrency: BROWSERS,
        durationMs: SEGMENT_MS,
        task: logins[key],
      });
      if (run.errors) throw run.firstError;
      return run.rate;
    });
    const stats = await app.call('stats');
    const trips = await countRoundTrips(app, databaseUrl, op, {
      logins: TRACED_LOGINS,
      users: USERS,
    });

    const moduleRate = median(rates.module);
    figure(
      'login throughput',
      `${fmt(moduleRate, 0)} logins/s`,
      '>= 300 logins/s',
      moduleRate >= 300,
      `median of ${ROUNDS} rounds of ${SEGMENT_MS / 1000} s, complete OIDC logins, ${BROWSERS} browsers in parallel, HS256 ID tokens; peers in the same rounds: ${PEERS.map(([key, , , , label]) => `${label} ${fmt(median(rates[key]), 0)}/s`).join(', ')}`,
    );
    for (const [key, , , , label] of PEERS) {
      const ratio = roundRatios(rates.module, rates[key]);
      const target = key === 'ocpMemory' ? '>= 1.10' : 'none (informative)';
      figure(
        `logins/s ÷ ${label}`,
        fmt(ratio.median, 2),
        target,
        key === 'ocpMemory' ? ratio.median >= 1.1 : undefined,
        `module ÷ peer per round, median of ${ROUNDS} (${fmt(ratio.min, 2)}-${fmt(ratio.max, 2)})`,
      );
    }
    const appP50 = quantile(perLogin, 0.5);
    const appP99 = quantile(perLogin, 0.99);
    figure(
      'login time (app side)',
      `p50 ${fmt(appP50)} ms, p99 ${fmt(appP99)} ms`,
      'p50 <= 5 ms',
      appP50 <= 5,
      `${perLogin.length} sequential logins, start + callback measured in the app process (request in to answer out, incl. the token request to the instant OP; start p50 ${fmt(part('/login'))} ms, callback p50 ${fmt(part('/callback'))} ms); seen by the client p50 ${fmt(serial.p50)} ms; peers, measured the same way: ${PEERS.map(([key, , , , label]) => `${label} p50 ${fmt(peerP50[key])} ms`).join(', ')}; JWKS fetches ${stats.jwksFetches}`,
    );
    figure(
      'login database round trips',
      `${fmt(trips.perLogin, 1)} round trips, ${fmt(trips.commits, 1)} commits per login`,
      'none (informative: fewer is better)',
      undefined,
      `${TRACED_LOGINS} sequential logins of existing users in a second app process with every pg query counted (BENCH_TRACE_SQL=1); commits = COMMIT plus writes outside a transaction`,
    );
    return { rate: moduleRate, p50: appP50, p99: appP99 };
  } finally {
    for (const peer of Object.values(peers)) await peer.stop();
    await app.stop();
    await op.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(loginCost);
