// JWKS fetches: none during 1,000 steady-state logins (RS256 ID tokens, cached key); during a
// flood of 1,000 logout tokens with unknown `kid`s, at most one per refetch cooldown.
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
  sleep,
  SMOKE,
  sqlClient,
  startApp,
} from './lib/harness.mjs';
import { configureOidc, oidcLogin, startFakeOp } from './lib/fake-op.mjs';
import { seedUser } from './lib/seed.mjs';
import { postLogout } from './backchannel.mjs';

const LOGINS = SMOKE ? 20 : 1_000;
const FLOOD = SMOKE ? 50 : 1_000;
/** Short so the flood spans a few cooldown periods (default 30 s; the logic is the same). */
const COOLDOWN_S = 2;
const USERS = 50;

/** A logout token naming a kid the OP never published (signature bytes are random). */
function unknownKidToken(op) {
  const now = Math.floor(Date.now() / 1000);
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = {
    alg: 'RS256',
    kid: `unknown-${randomBytes(6).toString('hex')}`,
    typ: 'logout+jwt',
  };
  const claims = {
    iss: op.issuer,
    aud: op.clientId,
    iat: now,
    exp: now + 300,
    jti: randomBytes(12).toString('base64url'),
    sub: 'someone',
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
  };
  return `${part(header)}.${part(claims)}.${randomBytes(256).toString('base64url')}`;
}

export async function jwks({ serverUrl }) {
  const databaseUrl = await createDatabase(serverUrl, 'jwks');
  const op = await startFakeOp();
  const app = await startApp({ databaseUrl, auth: { jwksRefetchCooldownSeconds: COOLDOWN_S } });
  try {
    const db = await sqlClient(databaseUrl);
    for (let i = 0; i < USERS; i++) await seedUser(db, `jwks-user-${i}`);
    await db.end();
    await configureOidc(app, await adminToken(app), putSettings, op, {
      signatureAlgorithms: ['RS256'],
    });
    op.idTokenAlg = 'RS256';
    const browsers = Array.from({ length: 4 }, () => ({}));
    const login = (i) => oidcLogin(request, app, op, browsers[i % 4], `jwks-user-${i % USERS}`);
    // The first login fetches the key set: that is the cold start, not the steady state.
    await runLoad({ concurrency: 1, total: 5, task: login });
    const before = op.jwksRequests;
    const steady = await runLoad({ concurrency: 4, total: LOGINS, task: login });
    if (steady.errors) throw steady.firstError;
    const steadyFetches = op.jwksRequests - before;
    figure(
      'JWKS fetches during steady-state logins',
      String(steadyFetches),
      '0',
      steadyFetches === 0,
      `${steady.count} RS256 logins (${fmt(steady.rate, 0)}/s); ${before} fetch(es) at cold start`,
    );

    await sleep(COOLDOWN_S * 1000 + 200); // the last fetch is past its cooldown: the flood may refetch
    const floodTokens = Array.from({ length: FLOOD }, () => unknownKidToken(op));
    const flooded = op.jwksRequests;
    const flood = await runLoad({
      concurrency: 16,
      total: FLOOD,
      task: async (i) => {
        const response = await postLogout(app, floodTokens[i]);
        if (response.status !== 400) throw new Error(`unknown kid answered ${response.status}`);
      },
    });
    if (flood.errors) throw flood.firstError;
    const floodFetches = op.jwksRequests - flooded;
    const allowed = 1 + Math.floor(flood.elapsedMs / 1000 / COOLDOWN_S);
    figure(
      'JWKS fetches during unknown-kid flood',
      String(floodFetches),
      `<= 1 per ${COOLDOWN_S} s cooldown (${allowed} in ${fmt(flood.elapsedMs / 1000, 1)} s)`,
      floodFetches <= allowed,
      `${flood.count} logout tokens with random kids, all refused 400, ${fmt(flood.rate, 0)}/s`,
    );
    return { steadyFetches, floodFetches, allowed };
  } finally {
    await app.stop();
    await op.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(jwks);
