// The peers of the comparison (bench/peers/*), each its own process, and a browser-like login
// client for them (a cookie jar, the instant OP in between).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort, ROOT } from './harness.mjs';

/** Starts `bench/peers/<peer>.mjs` in its own process; answers {url, name, stop()}. */
export async function startPeer({ peer, variant, databaseUrl, op, jwtSecret }) {
  const port = await freePort();
  const config = {
    peer,
    variant,
    port,
    databaseUrl,
    jwtSecret,
    sessionSecret: randomBytes(32).toString('hex'),
    op: op && { issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret },
  };
  const child = fork(resolve(ROOT, 'bench', 'peers', 'peer-process.mjs'), [], {
    env: { ...process.env, BENCH_PEER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: process.env.BENCH_APP_NODE_ARGS ? process.env.BENCH_APP_NODE_ARGS.split(' ') : [],
  });
  const { url } = await new Promise((done, reject) => {
    child.once('exit', (code) => reject(new Error(`peer ${peer} exited early (${code})`)));
    child.on('message', (message) => {
      if (message.type === 'ready') done(message);
      else if (message.type === 'error') reject(new Error(message.message));
    });
  });
  child.removeAllListeners('exit');
  let nextId = 1;
  const waiting = new Map();
  child.on('message', (message) => {
    if (message.type !== 'reply') return;
    waiting.get(message.id)?.(message.value);
    waiting.delete(message.id);
  });
  return {
    url,
    name: variant ? `${peer} (${variant})` : peer,
    /** Asks the peer process something ('serverTimes': [url, ms] of each login request since). */
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

/**
 * Starts several peers at once (key -> startPeer options) into `into`, so the caller's cleanup
 * stops every one that started even when another failed.
 */
export async function startPeers(specs, into) {
  const entries = Object.entries(specs);
  const started = await Promise.allSettled(entries.map(([, spec]) => startPeer(spec)));
  started.forEach((result, i) => {
    if (result.status === 'fulfilled') into[entries[i][0]] = result.value;
  });
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return into;
}

function keepCookies(jar, response) {
  for (const cookie of [response.headers['set-cookie'] ?? []].flat()) {
    const [pair] = cookie.split(';');
    const at = pair.indexOf('=');
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
}

const cookieHeader = (jar) => ({ cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') });

/**
 * One login of a new browser at a peer: GET login → (OP, instant) → GET callback. Throws unless
 * the callback redirects and sets `sessionCookie`; answers the cookie jar (signed in).
 */
export async function peerLogin(request, peer, op, subject, sessionCookie) {
  const jar = new Map();
  const start = await request(`${peer.url}/api/v1/auth/login`);
  if (start.status !== 302) throw new Error(`${peer.name} login answered ${start.status}`);
  keepCookies(jar, start);
  const back = op.authorize(start.headers.location, subject);
  const callback = await request(`${peer.url}${back.pathname}${back.search}`, {
    headers: cookieHeader(jar),
  });
  const before = jar.get(sessionCookie);
  keepCookies(jar, callback);
  if (callback.status !== 302 || !jar.get(sessionCookie) || jar.get(sessionCookie) === before)
    throw new Error(`${peer.name} callback answered ${callback.status} ${callback.body}`);
  return jar;
}

/** Whether the jar's session is accepted by the peer's guarded route (checked once per peer). */
export async function peerSignedIn(request, peer, jar) {
  const response = await request(`${peer.url}/api/v1/hello/me`, { headers: cookieHeader(jar) });
  return response.status === 200;
}

export { cookieHeader };
