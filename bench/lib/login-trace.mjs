// Database round trips and commits of one OIDC login, counted in an app process with every pg
// query wrapped (BENCH_TRACE_SQL=1, see app-process.mjs).
import { fmt, note, request, SMOKE, startApp } from './harness.mjs';
import { oidcLogin } from './fake-op.mjs';

/**
 * `logins` sequential logins of existing users (`userName(i)`, i < users) through provider
 * `providerId` (default: `default`) of a second, traced app process on the same database; in
 * smoke mode they run in `app` itself, which the caller started traced (saves a process start).
 * Answers {perLogin, commits} (commits: COMMITs plus writes outside a transaction).
 */
export async function countRoundTrips(
  app,
  databaseUrl,
  op,
  { logins, users, userName = (i) => `bench-user-${i}`, providerId, label = '' },
) {
  const traced = SMOKE
    ? app
    : await startApp({ databaseUrl, secretKey: app.secretKey, env: { BENCH_TRACE_SQL: '1' } });
  try {
    const browser = { id: undefined };
    for (let i = 0; i < 3; i++)
      await oidcLogin(request, traced, op, browser, userName(i % users), providerId);
    await traced.call('sql');
    for (let i = 0; i < logins; i++)
      await oidcLogin(request, traced, op, browser, userName(i % users), providerId);
    const { commits, rows } = await traced.call('sql');
    const queries = rows.reduce((sum, row) => sum + row.count, 0);
    for (const row of rows)
      note(`  ${label}${fmt(row.count / logins, 2)} per login: ${row.text.replace(/\s+/g, ' ')}`);
    return { perLogin: queries / logins, commits: commits / logins };
  } finally {
    if (traced !== app) await traced.stop();
  }
}
