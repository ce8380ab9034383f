// One demo app instance in its own process, driven by a benchmark over IPC.
// Config comes as JSON in BENCH_APP; answers {type: 'ready', url} once listening.
import { resolve } from 'node:path';
import { DIST } from './harness.mjs';
import { processCpuUs } from './cpu.mjs';
import { profileStart, profileStop } from './profiler.mjs';

const config = JSON.parse(process.env.BENCH_APP ?? '{}');

/**
 * BENCH_TRACE_SQL=1: count and time every query by its text (the `sql` command reads it), and
 * count commits: COMMIT, and every write sent outside BEGIN/START TRANSACTION (autocommit).
 */
const sqlTrace = new Map();
const sqlCommits = { count: 0 };
if (process.env.BENCH_TRACE_SQL === '1') {
  const pg = (await import('pg')).default;
  const query = pg.Client.prototype.query;
  const inTransaction = new WeakSet();
  pg.Client.prototype.query = function traced(config, ...rest) {
    const text = String(typeof config === 'string' ? config : config?.text).slice(0, 160);
    // The session listener's heartbeat is not part of any request.
    if (this.connectionParameters?.application_name === 'auth-session-listener')
      return query.call(this, config, ...rest);
    const head = text.trimStart().slice(0, 18).toUpperCase();
    if (head.startsWith('BEGIN') || head.startsWith('START TRANSACTION')) inTransaction.add(this);
    else if (head.startsWith('COMMIT')) {
      inTransaction.delete(this);
      sqlCommits.count++;
    } else if (head.startsWith('ROLLBACK')) inTransaction.delete(this);
    else if (/^(INSERT|UPDATE|DELETE|WITH)/.test(head) && !inTransaction.has(this))
      sqlCommits.count++;
    const started = performance.now();
    const done = () => {
      const entry = sqlTrace.get(text) ?? { count: 0, ms: 0 };
      entry.count++;
      entry.ms += performance.now() - started;
      sqlTrace.set(text, entry);
    };
    // TypeORM passes a callback (no promise back): wrap it to see the answer.
    const last = rest.length - 1;
    if (typeof rest[last] === 'function') {
      const callback = rest[last];
      rest[last] = (...args) => {
        done();
        return callback(...args);
      };
      return query.call(this, config, ...rest);
    }
    const result = query.call(this, config, ...rest);
    if (result && typeof result.then === 'function') result.then(done, done);
    return result;
  };
}

/** Only errors reach the console: per-request warnings would cost more than the request. */
const quietLogger = {
  log() {},
  warn() {},
  debug() {},
  verbose() {},
  fatal: (...args) => console.error('[app]', ...args),
  error: (...args) => console.error('[app]', ...args),
};

const { createDemoApp } = await import(resolve(DIST, 'demo', 'create-demo-app.js'));
const { SessionCache } = await import(resolve(DIST, 'sessions', 'session-cache.js'));
const { IdpKeysService } = await import(resolve(DIST, 'oidc', 'idp-keys.service.js'));
const { SessionChangeListener } = await import(
  resolve(DIST, 'sessions', 'session-change.listener.js')
);

let app;
const serverTimes = [];
try {
  app = await createDemoApp({
    databaseUrl: config.databaseUrl,
    siteUrl: config.siteUrl,
    secretKey: config.secretKey,
    adminUserName: config.adminUserName,
    adminPassword: config.adminPassword,
    auth: config.auth,
    poolSize: config.poolSize,
    logger: quietLogger,
  });
  await app.listen(config.port, '127.0.0.1');
  // Idle keep-alive sockets outlive the pauses between rounds (a server closing one races a reuse).
  app.getHttpServer().keepAliveTimeout = 120_000;
  // App-side time of the OIDC login requests: arrival of the request to the end of the answer.
  app.getHttpServer().prependListener('request', (request, response) => {
    if (!request.url?.includes('/auth/oidc/')) return;
    const started = performance.now();
    response.once('finish', () => serverTimes.push([request.url, performance.now() - started]));
  });
} catch (error) {
  process.send({ type: 'error', message: String(error?.stack ?? error) });
  process.exit(1);
}

const commands = {
  stats: () => ({
    jwksFetches: app.get(IdpKeysService).jwksFetchCount,
    cache: app.get(SessionCache).stats(),
    listener: app.get(SessionChangeListener).status(),
    memoryMb: Math.round(process.memoryUsage().rss / 1e6),
  }),
  /** [url, ms] of each OIDC login request since the last call. */
  serverTimes: () => serverTimes.splice(0),
  sql: () => {
    const rows = [...sqlTrace].map(([text, e]) => ({
      text,
      count: e.count,
      avgMs: e.ms / e.count,
    }));
    sqlTrace.clear();
    const commits = sqlCommits.count;
    sqlCommits.count = 0;
    return { commits, rows: rows.sort((a, b) => b.count - a.count) };
  },
  profileStart,
  profileStop,
  /** CPU time (µs, every thread of this process) used so far. */
  cpu: processCpuUs,
  /** Every guard request then reads the database (measures the index lookup). */
  cacheOff: () => {
    app.get(SessionCache).disable();
    return app.get(SessionCache).stats();
  },
};

process.on('message', async (message) => {
  if (message.type === 'stop') {
    await app.close().catch(() => undefined);
    process.exit(0);
  }
  if (message.type === 'call') {
    const value = await commands[message.cmd]?.(message.args);
    process.send({ type: 'reply', id: message.id, value });
  }
});
process.on('disconnect', () => process.exit(0));

process.send({ type: 'ready', url: `http://127.0.0.1:${config.port}` });
