// Revocation across two instances: two app processes on one database; instance B has the
// session cached; time from sending the back-channel logout to instance A until instance B
// refuses the session (B is polled back to back).
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
  SMOKE,
  sqlClient,
  startApp,
} from './lib/harness.mjs';
import { configureOidc, startFakeOp } from './lib/fake-op.mjs';
import { seedSessions, seedUser } from './lib/seed.mjs';
import { postLogout } from './backchannel.mjs';

const ROUNDS = SMOKE ? 5 : 200;
const GIVE_UP_MS = 5_000;

export async function revocation({ serverUrl }) {
  const databaseUrl = await createDatabase(serverUrl, 'revocation');
  const op = await startFakeOp();
  const a = await startApp({ databaseUrl });
  const b = await startApp({ databaseUrl });
  try {
    await configureOidc(a, await adminToken(a), putSettings, op);
    const db = await sqlClient(databaseUrl);
    const userId = await seedUser(db, 'bench-rev', { issuer: op.issuer, subject: 'rev-sub' });
    const tokens = await seedSessions(db, userId, ROUNDS, {
      issuer: op.issuer,
      subject: 'rev-sub',
      sidPrefix: 'rev-sid-',
    });
    await db.end();
    const onB = async (token) =>
      (await request(`${b.url}/api/v1/hello/me`, { headers: { authorization: `Bearer ${token}` } }))
        .status;
    const times = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Cache the session on B (second request is served from memory).
      if ((await onB(tokens[i])) !== 200 || (await onB(tokens[i])) !== 200)
        throw new Error('session not accepted on B before logout');
      const logoutToken = op.logoutToken({ sub: 'rev-sub', sid: `rev-sid-${i}` });
      const started = performance.now();
      const logout = postLogout(a, logoutToken);
      let refusedAt;
      while (performance.now() - started < GIVE_UP_MS) {
        if ((await onB(tokens[i])) === 401) {
          refusedAt = performance.now();
          break;
        }
      }
      const answered = await logout;
      if (answered.status !== 200) throw new Error(`logout on A answered ${answered.status}`);
      if (refusedAt === undefined)
        throw new Error(`B still accepted the session after ${GIVE_UP_MS} ms`);
      times.push(refusedAt - started);
    }
    times.sort((x, y) => x - y);
    const stats = await b.call('stats');
    const p99 = quantile(times, 0.99);
    figure(
      'revocation across two instances p99',
      `${fmt(p99)} ms`,
      '<= 1000 ms',
      p99 <= 1000,
      `${times.length} back-channel logouts on A, B polled until 401: p50 ${fmt(quantile(times, 0.5))} ms, max ${fmt(times[times.length - 1])} ms; B cache hits ${stats.cache.hits}`,
    );
    return { p99 };
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await op.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMain(revocation);
