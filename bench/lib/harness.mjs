// Shared plumbing of the benchmarks: Postgres, app processes, an HTTP client, a load loop,
// percentiles and the one-line figure format. Runs against the compiled code in dist/.
import { fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = resolve(ROOT, 'dist', 'src');
/** Tiny mode for the smoke test: a few requests each, figures still printed. */
export const SMOKE = process.env.BENCH_SMOKE === '1';

export function requireBuild() {
  if (!existsSync(resolve(DIST, 'demo', 'create-demo-app.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm run bench does).');
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export function sha256Hex(value) {
  return createHash('sha256').update(value).digest('hex');
}

// ---------------------------------------------------------------- Postgres

/**
 * The Postgres server to use: BENCH_PG_SERVER (set by run-all for its children), else
 * DATABASE_URL, else an embedded server in a temp folder stopped by `stop()`.
 */
export async function openPostgres() {
  const given = process.env.BENCH_PG_SERVER || process.env.DATABASE_URL;
  if (given) return { serverUrl: given, embedded: false, stop: async () => undefined };
  requireBuild();
  const { startEmbeddedPostgres } = await import(resolve(DIST, 'demo', 'embedded-postgres.js'));
  const handle = await startEmbeddedPostgres({ temporary: true });
  return { serverUrl: handle.url, embedded: true, stop: () => handle.stop() };
}

/** A fresh database on the server (each benchmark starts from an empty schema). */
export async function createDatabase(serverUrl, prefix = 'bench') {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(serverUrl, databaseUrl) {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } catch {
    // best effort: a leftover database on a given server is harmless
  } finally {
    await client.end();
  }
}

export async function sqlClient(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return client;
}

// ---------------------------------------------------------------- app processes

export async function freePort() {
  const net = await import('node:net');
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts the demo app in its own process (so the load generator does not share its event
 * loop). Answers {url, adminUserName, adminPassword, call(cmd), stop()}.
 */
export async function startApp({ databaseUrl, auth = {}, poolSize, env = {}, secretKey }) {
  requireBuild();
  const port = await freePort();
  const adminPassword = `pw-${randomBytes(9).toString('base64url')}`;
  const config = {
    databaseUrl,
    port,
    siteUrl: `http://127.0.0.1:${port}`,
    // A second instance on the same database needs the first one's key (stored secrets).
    secretKey: secretKey ?? randomBytes(32).toString('hex'),
    adminUserName: 'admin',
    adminPassword,
    auth,
    poolSize,
  };
  const child = fork(resolve(ROOT, 'bench', 'lib', 'app-process.mjs'), [], {
    env: { ...process.env, ...env, BENCH_APP: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: process.env.BENCH_APP_NODE_ARGS ? process.env.BENCH_APP_NODE_ARGS.split(' ') : [],
  });
  let nextId = 1;
  const waiting = new Map();
  const ready = new Promise((resolveReady, reject) => {
    child.once('exit', (code) => reject(new Error(`app process exited early (${code})`)));
    child.on('message', (message) => {
      if (message.type === 'ready') resolveReady(message);
      else if (message.type === 'error') reject(new Error(message.message));
      else if (message.type === 'reply') {
        waiting.get(message.id)?.(message.value);
        waiting.delete(message.id);
      }
    });
  });
  const { url } = await ready;
  child.removeAllListeners('exit');
  return {
    url,
    siteUrl: config.siteUrl,
    adminUserName: config.adminUserName,
    adminPassword,
    secretKey: config.secretKey,
    pid: child.pid,
    /** Asks the app process something (stats, cacheOff, ...). */
    call(cmd, args) {
      const id = nextId++;
      return new Promise((done) => {
        waiting.set(id, done);
        child.send({ type: 'call', id, cmd, args });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------------------------------------------------------------- HTTP

const agents = new Map();
function agentFor(concurrency) {
  let agent = agents.get(concurrency);
  if (!agent) {
    agent = new http.Agent({
      keepAlive: true,
      maxSockets: concurrency,
      maxFreeSockets: concurrency,
    });
    agents.set(concurrency, agent);
  }
  return agent;
}

/** Minimal keep-alive HTTP client: {status, headers, body}. */
export function request(url, { method = 'GET', headers = {}, body, agent } = {}) {
  return new Promise((resolveResponse, reject) => {
    const target = new URL(url);
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        headers: payload ? { ...headers, 'content-length': payload.length } : headers,
        agent: agent ?? agentFor(64),
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolveResponse({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Password login as the bootstrap admin; answers the session token. */
export async function adminToken(app) {
  const response = await request(`${app.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: app.adminUserName, password: app.adminPassword }),
  });
  if (response.status !== 200)
    throw new Error(`admin login failed: ${response.status} ${response.body}`);
  return JSON.parse(response.body).token;
}

/** PUT /admin/authentication; throws with the field errors when refused. */
export async function putSettings(app, token, body) {
  const response = await request(`${app.url}/api/v1/admin/authentication`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (response.status !== 200)
    throw new Error(`settings update failed: ${response.status} ${response.body}`);
  return JSON.parse(response.body);
}

// ---------------------------------------------------------------- load and statistics

/** Value at quantile q (0..1) of a sorted array (nearest rank). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

/**
 * Runs `task(i)` from `concurrency` loops until `total` tasks ran or `durationMs` passed.
 * Answers rate, latency percentiles (ms) and the count of tasks that threw.
 */
export async function runLoad({ concurrency, total = Infinity, durationMs = Infinity, task }) {
  const latencies = [];
  let next = 0;
  let errors = 0;
  let firstError;
  const started = performance.now();
  const deadline = started + durationMs;
  const loop = async () => {
    for (;;) {
      if (next >= total || performance.now() >= deadline) return;
      const i = next++;
      const t0 = performance.now();
      try {
        await task(i);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    count: latencies.length,
    errors,
    firstError,
    elapsedMs,
    rate: (latencies.length / elapsedMs) * 1000,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? NaN,
  };
}

/**
 * Pairs start and callback of sequential logins (the `serverTimes` of an app or peer process)
 * into one time per login (ms, sorted).
 */
export function perLoginTimes(times, loginPart = '/login', callbackPart = '/callback') {
  const perLogin = [];
  for (let i = 0; i + 1 < times.length; i += 2) {
    if (!times[i][0].includes(loginPart) || !times[i + 1][0].includes(callbackPart))
      throw new Error('unexpected request order');
    perLogin.push(times[i][1] + times[i + 1][1]);
  }
  return perLogin.sort((x, y) => x - y);
}

/** Median of numbers (mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Seeded pseudo-random numbers in [0, 1) (mulberry32): the same sequence in every run. */
export function seededRandom(seed) {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Alternating rounds: every round measures each key once, in an order shuffled per round
 * (seeded, so every run uses the same orders). A rotated order would keep each variant right
 * after the same neighbour in every round, and a neighbour's aftermath (its process still warm,
 * or Postgres still vacuuming what it wrote) would bias that variant the same way each time.
 * Answers key -> results, one per round.
 */
export async function alternatingRounds(keys, rounds, measure) {
  const results = Object.fromEntries(keys.map((key) => [key, []]));
  const random = seededRandom(0x5eed);
  for (let round = 0; round < rounds; round++) {
    const order = [...keys];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const key of order) results[key].push(await measure(key, round));
  }
  return results;
}

/** Ratio a/b per round (same round = same machine state), then their median, min and max. */
export function roundRatios(as, bs) {
  const ratios = as.map((a, i) => a / bs[i]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), ratios };
}

// ---------------------------------------------------------------- output

export const fmt = (value, digits = 2) =>
  Number.isFinite(value) ? value.toFixed(digits) : String(value);

/**
 * Prints one figure line: `FIGURE <name>: <value> | target <target> | <PASS|MISS> | <details>`.
 * The smoke test looks for these lines.
 */
export function figure(name, value, target, pass, details = '') {
  const verdict = pass === undefined ? 'INFO' : pass ? 'PASS' : 'MISS';
  const line = `FIGURE ${name}: ${value} | target ${target} | ${verdict}${details ? ` | ${details}` : ''}`;
  console.log(line);
  return line;
}

export function note(message) {
  if (process.env.BENCH_QUIET !== '1') console.error(`  · ${message}`);
}

/** Runs `main(pgServer)` with a Postgres server, always cleaning up; exits non-zero on error. */
export async function benchMain(main) {
  const started = performance.now();
  const postgres = await openPostgres();
  let failed = false;
  try {
    await main(postgres);
  } catch (error) {
    failed = true;
    console.error(error);
  } finally {
    await postgres.stop().catch(() => undefined);
  }
  note(`done in ${fmt((performance.now() - started) / 1000, 1)} s`);
  process.exit(failed ? 1 : 0);
}
