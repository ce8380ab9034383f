// Route cost side by side: req/s of the module's guarded route (Bearer, cookie), of a
// `@Public()` route of the app that imports the module, and of the peers' guarded routes
// (passport-jwt with a KeyObject secret and as the Nest docs set it up, express-session +
// connect-pg-simple with `disableTouch` and by default), each ÷ the same route of a bare Nest
// app (a guarded `GET /hello/me` ÷ the bare app's unguarded `GET /hello/me`, same handler and
// `@Req()` parameter; a public `GET /hello` ÷ the bare `GET /hello`), so a ratio is the cost of
// the auth layer alone. The guarded routes ÷ the bare `GET /hello` are printed too.
// Every variant its own process, all alive at once; autocannon, 50 connections; alternating
// rounds with the order shuffled; the ratio per round, then the median. Beside req/s, the
// CPU time per request of the serving process (all its threads), steadier on a shared machine.
import {
  alternatingRounds,
  benchMain,
  createDatabase,
  figure,
  fmt,
  median,
  note,
  request,
  roundRatios,
  SMOKE,
  sqlClient,
  startApp,
} from './lib/harness.mjs';
import { cannon, CONNECTIONS, measuredRun } from './lib/cannon.mjs';
import { signJwt } from './lib/fake-op.mjs';
import { startPeers } from './lib/peers.mjs';
import { seedSessions, seedUser } from './lib/seed.mjs';

// The target figures (the host app and the bare app) in short rounds of their own, so the
// variants of one round are measured seconds apart; the rest (demo app, peers) in longer ones.
const TARGET_KEYS = ['bare', 'bareMe', 'noopGuard', 'hostPublic', 'hostBearer', 'hostCookie'];
const TARGET_SEGMENT_S = SMOKE ? 0.3 : Number(process.env.BENCH_TARGET_SEGMENT_S ?? 1);
const TARGET_ROUNDS = SMOKE ? 1 : Number(process.env.BENCH_TARGET_ROUNDS ?? 30);
const SEGMENT_S = SMOKE ? 0.3 : Number(process.env.BENCH_SEGMENT_S ?? 1.5);
const ROUNDS = SMOKE ? 1 : Number(process.env.BENCH_ROUNDS ?? 10);
const ROTATED = SMOKE ? 200 : 10_000;

/** The route load of this benchmark (segments of SEGMENT_S unless told). */
const load = (url, path, options, seconds = SEGMENT_S) => cannon(url, path, options, seconds);

/** A signed-in session cookie of an express-session peer (its public sign-in route). */
async function peerSessionCookie(peer) {
  const response = await request(`${peer.url}/api/v1/bench/session`, { method: 'POST' });
  const cookie = [response.headers['set-cookie'] ?? []].flat()[0];
  if (response.status !== 201 || !cookie) throw new Error(`${peer.name}: no session cookie`);
  return cookie.split(';')[0];
}

export async function guardOverhead({ serverUrl }) {
  const databaseUrl = await createDatabase(serverUrl, 'guard');
  const peerDatabaseUrl = await createDatabase(serverUrl, 'guardpeers');
  const jwtSecret = 'bench-jwt-secret-of-the-nest-docs-example-0123456789';
  const app = await startApp({ databaseUrl });
  const peers = {};
  try {
    await startPeers(
      {
        bare: { peer: 'bare' },
        noopGuard: { peer: 'bare', variant: 'noopGuard' },
        // A host that imports the module and nothing else, on the same database as the demo app.
        host: { peer: 'module-host', databaseUrl },
        jwtKey: { peer: 'passport-jwt', variant: 'keyObject', jwtSecret },
        jwtDocs: { peer: 'passport-jwt', variant: 'docs', jwtSecret },
        sessionNoTouch: {
          peer: 'express-session-pg',
          variant: 'disableTouch',
          databaseUrl: peerDatabaseUrl,
        },
        sessionTouch: {
          peer: 'express-session-pg',
          variant: 'default',
          databaseUrl: peerDatabaseUrl,
        },
      },
      peers,
    );
    const db = await sqlClient(databaseUrl);
    const userId = await seedUser(db, 'bench-guard');
    const tokens = await seedSessions(db, userId, ROTATED);
    await db.end();
    const bearer = { authorization: `Bearer ${tokens[0]}` };
    const now = Math.floor(Date.now() / 1000);
    const jwt = signJwt(
      { alg: 'HS256', typ: 'JWT' },
      { sub: 'bench-user', username: 'bench-jwt', iat: now, exp: now + 3600 },
      jwtSecret,
    );
    const me = '/api/v1/hello/me';
    // [process, path, options]: the same kind of header on the bare side as on the measured one.
    const variants = {
      bare: [peers.bare, '/api/v1/hello', { headers: bearer }],
      bareMe: [peers.bare, me, { headers: bearer }],
      noopGuard: [peers.noopGuard, me, { headers: bearer }],
      hostPublic: [peers.host, '/api/v1/hello', { headers: bearer }],
      hostBearer: [peers.host, me, { headers: bearer }],
      hostCookie: [peers.host, me, { headers: { cookie: `auth_session=${tokens[0]}` } }],
      public: [app, '/api/v1/hello', { headers: bearer }],
      bearer: [app, me, { headers: bearer }],
      cookie: [app, me, { headers: { cookie: `auth_session=${tokens[0]}` } }],
      rotated: [app, me, { rotate: tokens }],
      jwtKey: [peers.jwtKey, me, { headers: { authorization: `Bearer ${jwt}` } }],
      jwtDocs: [peers.jwtDocs, me, { headers: { authorization: `Bearer ${jwt}` } }],
      sessionNoTouch: [
        peers.sessionNoTouch,
        me,
        { headers: { cookie: await peerSessionCookie(peers.sessionNoTouch) } },
      ],
      sessionTouch: [
        peers.sessionTouch,
        me,
        { headers: { cookie: await peerSessionCookie(peers.sessionTouch) } },
      ],
    };
    note(`warming up (${ROTATED} sessions seeded)`);
    for (const [target, path, options] of Object.values(variants))
      await load(target.url, path, options, SMOKE ? 0.2 : 2);
    /** Alternating rounds of `keys`: req/s and CPU µs per request of each, per round. */
    const phase = async (keys, rounds, seconds) => {
      note(`${rounds} rounds of ${keys.length} x ${seconds} s`);
      const cpu = Object.fromEntries(keys.map((key) => [key, []]));
      const rates = await alternatingRounds(keys, rounds, async (key) => {
        const [target, path, options] = variants[key];
        const { rate, cpuPerRequest } = await measuredRun(key, target, path, options, seconds);
        cpu[key].push(cpuPerRequest);
        return rate;
      });
      return { rates, cpu, rounds, seconds };
    };
    const targets = await phase(TARGET_KEYS, TARGET_ROUNDS, TARGET_SEGMENT_S);
    const others = await phase(
      ['bare', 'bareMe', ...Object.keys(variants).filter((key) => !TARGET_KEYS.includes(key))],
      ROUNDS,
      SEGMENT_S,
    );
    const stats = await app.call('stats');
    // Each route ÷ the same route of the bare app: `/hello/me` (guarded here) or `/hello`.
    const divisorOf = (key) => (variants[key][1] === me ? 'bareMe' : 'bare');
    const phaseOf = (key) => (TARGET_KEYS.includes(key) ? targets : others);
    const rate = (key, run = phaseOf(key)) => `${fmt(median(run.rates[key]), 0)} req/s`;
    const shown = {};
    const host = 'a host app of the two hello routes that imports the module and nothing else';
    const demo = 'the demo app (the module plus its pages, static files and OpenAPI UI)';
    for (const [key, name, target, pass, what, divisor] of [
      [
        'hostBearer',
        'guarded route ÷ bare (Bearer)',
        '>= 0.92',
        (r) => r >= 0.92,
        `GET /hello/me of ${host}, one hot session by Bearer (in-process cache)`,
      ],
      [
        'hostBearer',
        'guarded route ÷ bare /hello (Bearer)',
        'none (informative)',
        undefined,
        `GET /hello/me of ${host}, one hot session by Bearer, ÷ the bare app's GET /hello (no @Req() parameter)`,
        'bare',
      ],
      [
        'hostBearer',
        'guarded route ÷ a no-op global guard (Bearer)',
        'none (informative)',
        undefined,
        `GET /hello/me of ${host}, one hot session by Bearer, ÷ the same route of the bare app with a global guard that only sets req.user and req.auth (constants): the module's own work`,
        'noopGuard',
      ],
      [
        'noopGuard',
        'a no-op global guard ÷ bare',
        'none (informative)',
        undefined,
        "the bare app's GET /hello/me behind a global guard that only sets req.user and req.auth: the floor of any sign-in guard in Nest",
      ],
      [
        'bareMe',
        'bare /hello/me ÷ bare /hello',
        'none (informative)',
        undefined,
        "the bare app's two routes: what the route itself costs (the @Req() parameter)",
        'bare',
      ],
      [
        'hostCookie',
        'guarded route ÷ bare (cookie)',
        '>= 0.92',
        (r) => r >= 0.92,
        `GET /hello/me of ${host}, one hot session by cookie`,
      ],
      [
        'hostPublic',
        '@Public() route ÷ bare',
        '>= 0.97',
        (r) => r >= 0.97,
        `GET /hello of ${host} (same Bearer header sent)`,
      ],
      [
        'bearer',
        'demo app guarded route ÷ bare (Bearer)',
        'none (informative)',
        undefined,
        `GET /hello/me of ${demo}, one hot session by Bearer`,
      ],
      [
        'cookie',
        'demo app guarded route ÷ bare (cookie)',
        'none (informative)',
        undefined,
        `GET /hello/me of ${demo}, one hot session by cookie`,
      ],
      [
        'public',
        'demo app @Public() route ÷ bare',
        'none (informative)',
        undefined,
        `GET /hello of ${demo}`,
      ],
      [
        'rotated',
        'guarded route ÷ bare (10 000 sessions rotated)',
        'none (informative)',
        undefined,
        `${demo}, every request another of ${ROTATED} tokens`,
      ],
      [
        'jwtKey',
        'peer passport-jwt (KeyObject secret) ÷ bare',
        'none (peer)',
        undefined,
        'AuthGuard(jwt), HS256',
      ],
      [
        'jwtDocs',
        'peer passport-jwt (as the Nest docs) ÷ bare',
        'none (peer)',
        undefined,
        'AuthGuard(jwt), HS256, the secret as a string',
      ],
      [
        'sessionNoTouch',
        'peer express-session + connect-pg-simple (disableTouch) ÷ bare',
        'none (peer)',
        undefined,
        'a guard on req.session',
      ],
      [
        'sessionTouch',
        'peer express-session + connect-pg-simple (default) ÷ bare',
        'none (peer)',
        undefined,
        'a guard on req.session, touch on every request',
      ],
    ]) {
      const over = divisor ?? divisorOf(key);
      const run = phaseOf(key);
      const r = roundRatios(run.rates[key], run.rates[over]);
      // Capacity by CPU: the divisor's CPU per request ÷ the variant's, per round.
      const c = roundRatios(run.cpu[over], run.cpu[key]);
      const us = (k) => `${fmt(median(run.cpu[k]), 0)} µs`;
      if (!divisor) shown[key] = r.median;
      figure(
        name,
        fmt(r.median, 3),
        target,
        pass?.(r.median),
        `${what}: ${rate(key, run)} ÷ the bare Nest app's GET ${{ bareMe: '/hello/me', bare: '/hello', noopGuard: '/hello/me behind the no-op guard' }[over]} ${rate(over, run)}, median of ${run.rounds} rounds (${fmt(r.min, 2)}-${fmt(r.max, 2)}); by CPU per request ${fmt(c.median, 3)} (${fmt(c.min, 2)}-${fmt(c.max, 2)}): ${us(key)} vs ${us(over)}; ${CONNECTIONS} connections, ${run.seconds} s per run${key === 'rotated' ? `; cache hits ${stats.cache.hits}, misses ${stats.cache.misses}` : ''}`,
      );
    }
    return shown;
  } finally {
    for (const peer of Object.values(peers)) await peer.stop();
    await app.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(guardOverhead);
