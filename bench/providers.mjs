// Several providers, 1 vs 50 (issue 13, point 7): two demo apps alive at once, one database
// each: P1 with only `default`, P50 with `default` plus 49 providers added through the admin API
// (`POST /admin/authentication/providers`), each its own client and its own issuer at the
// in-process OP (`<op>/p<n>`). In alternating rounds (order shuffled per round):
// - the guarded route (Bearer, hot session) of each, and a bare Nest app's route;
// - complete logins per second: P1 through `default`, P50 through its last added provider
//   (and, informative, P50 through `default`);
// - sequential logins, timed inside each app process (RP side), the same three ways;
// then the database round trips of one login, counted, the same three ways.
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
import { cannon, CONNECTIONS, measuredRun } from './lib/cannon.mjs';
import { configureOidc, oidcLogin, startFakeOp } from './lib/fake-op.mjs';
import { startPeers } from './lib/peers.mjs';
import { countRoundTrips } from './lib/login-trace.mjs';
import { seedUser } from './lib/seed.mjs';

const PROVIDERS = 50;
// Short route rounds (as the route targets of guard-overhead.mjs): the variants of one round
// are measured seconds apart.
const SEGMENT_S = SMOKE ? 0.3 : Number(process.env.BENCH_SEGMENT_S ?? 1);
const ROUNDS = SMOKE ? 1 : Number(process.env.BENCH_ROUNDS ?? 30);
const LOGIN_ROUNDS = SMOKE ? 1 : Number(process.env.BENCH_LOGIN_ROUNDS ?? 10);
const LOGIN_SEGMENT_MS = SMOKE ? 300 : 2_500;
/** Sequential logins per variant and round (RP-side time). */
const SERIAL_PER_ROUND = SMOKE ? 4 : 60;
const USERS = SMOKE ? 10 : 200;
const BROWSERS = 8;
/** ID tokens as login-cost.mjs signs them (HS256: each provider's own client secret). */
const ID_TOKEN_ALG = process.env.BENCH_ID_TOKEN_ALG ?? 'HS256';

/** Round trips are counted in the apps themselves in smoke mode (see countRoundTrips). */
const traceInSmoke = SMOKE ? { BENCH_TRACE_SQL: '1' } : {};
const TRACED_LOGINS = SMOKE ? 3 : 50;

/** A provider's `oidc` body: its issuer's settings without the site-wide fields. */
function providerOidc(issuer) {
  const {
    fallback: _fallback,
    allowRegularUserFallback: _regular,
    autoRedirect: _auto,
    buttonLabel: _label,
    ...oidc
  } = issuer.settings();
  return oidc;
}

/** POST /admin/authentication/providers; throws with the answer when refused. */
async function addProvider(app, token, body) {
  const response = await request(`${app.url}/api/v1/admin/authentication/providers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 201)
    throw new Error(`provider ${body.id} refused: ${response.status} ${response.body}`);
  return JSON.parse(response.body);
}

async function seedUsers(databaseUrl) {
  const db = await sqlClient(databaseUrl);
  try {
    for (let i = 0; i < USERS; i++) await seedUser(db, `bench-user-${i}`);
  } finally {
    await db.end();
  }
}

export async function providers({ serverUrl }) {
  const [db1, db50] = await Promise.all([
    createDatabase(serverUrl, 'prov1'),
    createDatabase(serverUrl, 'prov50'),
  ]);
  const op = await startFakeOp();
  op.idTokenAlg = ID_TOKEN_ALG;
  const extraIssuers = Array.from({ length: PROVIDERS - 1 }, (_, i) => {
    const issuer = op.addIssuer(`p${i + 1}`);
    issuer.idTokenAlg = ID_TOKEN_ALG;
    return issuer;
  });
  const last = extraIssuers[extraIssuers.length - 1];
  const lastId = `p${PROVIDERS - 1}`;
  const apps = {};
  const peers = {};
  try {
    const started = await Promise.allSettled([
      startApp({ databaseUrl: db1, env: traceInSmoke }),
      startApp({ databaseUrl: db50, env: traceInSmoke }),
    ]);
    if (started[0].status === 'fulfilled') apps.p1 = started[0].value;
    if (started[1].status === 'fulfilled') apps.p50 = started[1].value;
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    await startPeers({ bare: { peer: 'bare' } }, peers);
    await Promise.all([seedUsers(db1), seedUsers(db50)]);

    // P1: `default` only. P50: the same `default`, then 49 providers through the admin API.
    await configureOidc(apps.p1, await adminToken(apps.p1), putSettings, op);
    const admin50 = await adminToken(apps.p50);
    await configureOidc(apps.p50, admin50, putSettings, op);
    for (const [i, issuer] of extraIssuers.entries())
      await addProvider(apps.p50, admin50, {
        id: `p${i + 1}`,
        label: `Provider ${i + 1}`,
        oidc: providerOidc(issuer),
      });
    const methods = JSON.parse((await request(`${apps.p50.url}/api/v1/auth/methods`)).body);
    const offered = methods.providers?.length ?? 0;
    if (offered !== PROVIDERS)
      throw new Error(`P50 offers ${offered} providers at /auth/methods, not ${PROVIDERS}`);
    note(`P50: ${offered} providers offered, the last ${methods.providers[offered - 1].id}`);

    const user = (i) => `bench-user-${i % USERS}`;
    /** key -> [app, op issuer, provider id (undefined: default), label] */
    const loginVariants = {
      p1: [apps.p1, op, undefined, `P1 through default`],
      p50: [apps.p50, last, lastId, `P50 through ${lastId} (last added)`],
      p50default: [apps.p50, op, undefined, 'P50 through default'],
    };
    const logins = Object.fromEntries(
      Object.entries(loginVariants).map(([key, [app, issuer, providerId]]) => {
        // Each variant its own browsers (login-state cookies), as login-cost.mjs has its own.
        const browsers = Array.from({ length: BROWSERS }, () => ({ id: undefined }));
        return [
          key,
          (i) => oidcLogin(request, app, issuer, browsers[i % BROWSERS], user(i), providerId),
        ];
      }),
    );

    // Hot sessions of real logins: P1's through default, P50's through its last provider.
    const bearer = {
      p1: { authorization: `Bearer ${await logins.p1(0)}` },
      p50: { authorization: `Bearer ${await logins.p50(0)}` },
    };
    const me = '/api/v1/hello/me';
    const routeVariants = {
      bare: [peers.bare, '/api/v1/hello', bearer.p1],
      p1: [apps.p1, me, bearer.p1],
      p50: [apps.p50, me, bearer.p50],
    };

    note('warming up');
    for (const task of Object.values(logins)) {
      const warm = await runLoad({ concurrency: BROWSERS, total: SMOKE ? 4 : 600, task });
      if (warm.errors) throw warm.firstError;
    }
    for (const [target, path, headers] of Object.values(routeVariants))
      await cannon(target.url, path, { headers }, SMOKE ? 0.2 : 2);

    note(`guard: ${ROUNDS} rounds of ${Object.keys(routeVariants).length} x ${SEGMENT_S} s`);
    const routeCpu = Object.fromEntries(Object.keys(routeVariants).map((key) => [key, []]));
    const routeRates = await alternatingRounds(Object.keys(routeVariants), ROUNDS, async (key) => {
      const [target, path, headers] = routeVariants[key];
      const { rate, cpuPerRequest } = await measuredRun(key, target, path, { headers }, SEGMENT_S);
      routeCpu[key].push(cpuPerRequest);
      return rate;
    });

    note(
      `logins: ${LOGIN_ROUNDS} rounds of ${Object.keys(logins).length} x ${LOGIN_SEGMENT_MS} ms`,
    );
    const loginRates = await alternatingRounds(Object.keys(logins), LOGIN_ROUNDS, async (key) => {
      const run = await runLoad({
        concurrency: BROWSERS,
        durationMs: LOGIN_SEGMENT_MS,
        task: logins[key],
      });
      if (run.errors) throw run.firstError;
      return run.rate;
    });

    note(`sequential logins: ${LOGIN_ROUNDS} rounds of ${SERIAL_PER_ROUND} per variant`);
    const serial = await alternatingRounds(Object.keys(logins), LOGIN_ROUNDS, async (key) => {
      const [app] = loginVariants[key];
      await app.call('serverTimes');
      const run = await runLoad({ concurrency: 1, total: SERIAL_PER_ROUND, task: logins[key] });
      if (run.errors) throw run.firstError;
      return perLoginTimes(await app.call('serverTimes'));
    });
    const serialP50 = Object.fromEntries(
      Object.entries(serial).map(([key, rounds]) => [
        key,
        quantile(
          rounds.flat().sort((x, y) => x - y),
          0.5,
        ),
      ]),
    );
    const roundP50s = (key) => serial[key].map((times) => quantile(times, 0.5));
    const stats = { p1: await apps.p1.call('stats'), p50: await apps.p50.call('stats') };
    const trips = {};
    for (const [key, [app, issuer, providerId]] of Object.entries(loginVariants))
      trips[key] = await countRoundTrips(app, app === apps.p1 ? db1 : db50, issuer, {
        logins: TRACED_LOGINS,
        users: USERS,
        providerId,
        label: `${key}: `,
      });

    const spread = (r, rounds) => `median of ${rounds} rounds (${fmt(r.min, 2)}-${fmt(r.max, 2)})`;
    const reqs = (key) => `${fmt(median(routeRates[key]), 0)} req/s`;
    const guard = roundRatios(routeRates.p50, routeRates.p1);
    // Capacity by CPU: P1's CPU per request ÷ P50's, per round.
    const guardCpu = roundRatios(routeCpu.p1, routeCpu.p50);
    const cpuUs = (key) => `${fmt(median(routeCpu[key]), 0)} µs`;
    const guard1 = roundRatios(routeRates.p1, routeRates.bare);
    const guard50 = roundRatios(routeRates.p50, routeRates.bare);
    const shown = { guard: guard.median };
    figure(
      'providers guard ratio 50 vs 1',
      fmt(guard.median, 3),
      '>= 0.95',
      guard.median >= 0.95,
      `GET /hello/me, one hot session by Bearer (P50's signed in through ${lastId}): P50 ${reqs('p50')} ÷ P1 ${reqs('p1')}, ${spread(guard, ROUNDS)}; by CPU per request ${fmt(guardCpu.median, 3)} (${fmt(guardCpu.min, 2)}-${fmt(guardCpu.max, 2)}): ${cpuUs('p50')} vs ${cpuUs('p1')}; ${CONNECTIONS} connections, ${SEGMENT_S} s per run`,
    );
    for (const [name, r, key] of [
      ['providers guard ÷ bare (1 provider)', guard1, 'p1'],
      [`providers guard ÷ bare (${PROVIDERS} providers)`, guard50, 'p50'],
    ])
      figure(
        name,
        fmt(r.median, 3),
        'none (informative)',
        undefined,
        `${reqs(key)} ÷ bare Nest app ${reqs('bare')}, ${spread(r, ROUNDS)}`,
      );

    const perS = (key) => `${fmt(median(loginRates[key]), 0)}/s`;
    const login = roundRatios(loginRates.p50, loginRates.p1);
    const loginDefault = roundRatios(loginRates.p50default, loginRates.p1);
    shown.login = login.median;
    figure(
      'providers login ratio 50 vs 1',
      fmt(login.median, 3),
      '>= 0.95',
      login.median >= 0.95,
      `complete OIDC logins, ${BROWSERS} browsers, ${ID_TOKEN_ALG} ID tokens: P50 through ${lastId} (the last added, /auth/oidc/${lastId}/login) ${perS('p50')} ÷ P1 through default ${perS('p1')}, ${spread(login, LOGIN_ROUNDS)} of ${LOGIN_SEGMENT_MS / 1000} s`,
    );
    figure(
      'providers login ratio 50 (through default) vs 1',
      fmt(loginDefault.median, 3),
      'none (informative)',
      undefined,
      `P50 through default ${perS('p50default')} ÷ P1 through default ${perS('p1')}, ${spread(loginDefault, LOGIN_ROUNDS)}`,
    );
    const time = roundRatios(roundP50s('p50'), roundP50s('p1'));
    const timeDefault = roundRatios(roundP50s('p50default'), roundP50s('p1'));
    figure(
      'providers login time 50 vs 1',
      `p50 ${fmt(serialP50.p50)} ms vs ${fmt(serialP50.p1)} ms, ratio ${fmt(time.median, 3)}`,
      'none (informative)',
      undefined,
      `RP side (start + callback, request in to answer out in the app process), ${serial.p1.flat().length} sequential logins per variant over ${LOGIN_ROUNDS} rounds: P50 through ${lastId} vs P1 through default, per-round p50 ratio ${spread(time, LOGIN_ROUNDS)}; P50 through default p50 ${fmt(serialP50.p50default)} ms (ratio ${fmt(timeDefault.median, 3)}); JWKS fetches P1 ${stats.p1.jwksFetches}, P50 ${stats.p50.jwksFetches}; RSS P1 ${stats.p1.memoryMb} MB, P50 ${stats.p50.memoryMb} MB`,
    );
    const tripsOf = (key) =>
      `${fmt(trips[key].perLogin, 1)} round trips, ${fmt(trips[key].commits, 1)} commits`;
    figure(
      'providers login database round trips 50 vs 1',
      `${tripsOf('p50')} vs ${tripsOf('p1')}`,
      'none (informative: equal is the claim)',
      undefined,
      `per login, ${TRACED_LOGINS} sequential logins of existing users in a second, traced app process on each database (BENCH_TRACE_SQL=1): P50 through ${lastId} vs P1 through default; P50 through default ${tripsOf('p50default')}`,
    );
    return shown;
  } finally {
    for (const peer of Object.values(peers)) await peer.stop();
    for (const app of Object.values(apps)) await app.stop();
    await op.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(providers);
