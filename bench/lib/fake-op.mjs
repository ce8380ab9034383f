// A minimal OpenID provider inside the bench process that answers instantly: discovery, JWKS
// and a token endpoint minting an ID token per login (nonce from the authorization request).
// Its root URL is one issuer; `addIssuer(name)` serves more under `/<name>` (own client and key).
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import http from 'node:http';

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Compact JWS with node:crypto (cheap: HS256 ~10 µs, RS256 ~0.5 ms on this machine). */
export function signJwt(header, claims, key) {
  const input = `${b64url(header)}.${b64url(claims)}`;
  let signature;
  if (header.alg === 'HS256') signature = createHmac('sha256', key).update(input).digest();
  else if (header.alg === 'RS256') signature = sign('sha256', Buffer.from(input), key);
  else throw new Error(`unsupported alg ${header.alg}`);
  return `${input}.${signature.toString('base64url')}`;
}

function readBody(request) {
  return new Promise((resolveBody, reject) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function json(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

/** RS256 key of one issuer: its private key, kid and the public JWK it publishes. */
function rsaKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `bench-${randomBytes(4).toString('hex')}`;
  return {
    privateKey,
    kid,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' },
  };
}

/**
 * One issuer of the fake OP: its client, its key, its pending codes, and the handler of its
 * discovery, JWKS and token endpoints (`path` relative to the issuer URL).
 */
function createIssuer(issuer, { clientId, clientSecret, lazyKey = false }) {
  const secret = clientSecret ?? randomBytes(32).toString('base64url');
  // The extra issuers make their RSA key on first use (~50 ms each; HS256 logins need none).
  let key = lazyKey ? undefined : rsaKey();
  const keyOf = () => (key ??= rsaKey());
  /** code -> what the token endpoint needs to mint the ID token */
  const codes = new Map();

  const op = {
    issuer,
    clientId,
    clientSecret: secret,
    get kid() {
      return keyOf().kid;
    },
    get privateKey() {
      return keyOf().privateKey;
    },
    jwksRequests: 0,
    tokenRequests: 0,
    /** ID token algorithm for the next logins: 'HS256' (client secret) or 'RS256' (JWKS). */
    idTokenAlg: 'HS256',
    /** What the browser's visit to /authorize would do: remember the request, hand out a code. */
    authorize(authorizeUrl, subject) {
      const params = new URL(authorizeUrl).searchParams;
      const code = randomBytes(24).toString('base64url');
      codes.set(code, {
        nonce: params.get('nonce'),
        challenge: params.get('code_challenge'),
        subject,
      });
      const back = new URL(params.get('redirect_uri'));
      back.searchParams.set('code', code);
      // A client relying on PKCE alone (openid-client with S256 advertised) sends no state.
      if (params.has('state')) back.searchParams.set('state', params.get('state'));
      return back;
    },
    sign(claims, alg = 'RS256', headerExtra = {}) {
      return alg === 'HS256'
        ? signJwt({ alg, typ: 'JWT', ...headerExtra }, claims, secret)
        : signJwt(
            { alg, kid: keyOf().kid, typ: 'JWT', ...headerExtra },
            claims,
            keyOf().privateKey,
          );
    },
    /** A valid back-channel logout token (unique jti). */
    logoutToken({ sub, sid, alg = 'RS256' }) {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: issuer,
        aud: clientId,
        iat: now,
        exp: now + 600,
        jti: randomBytes(12).toString('base64url'),
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      };
      if (sub !== undefined) claims.sub = sub;
      if (sid !== undefined) claims.sid = sid;
      return op.sign(claims, alg, { typ: 'logout+jwt' });
    },
    /** Settings `oidc` body for this OP. */
    settings(overrides = {}) {
      return {
        clientId,
        clientSecret: secret,
        issuer,
        authorizationEndpoint: `${issuer}/authorize`,
        tokenEndpoint: `${issuer}/token`,
        jwksEndpoint: `${issuer}/jwks`,
        userInfoEndpoint: null,
        usernameClaim: 'preferred_username',
        createUser: true,
        sync: true,
        signatureAlgorithms: ['RS256', 'HS256'],
        fallback: true,
        pkce: true,
        ...overrides,
      };
    },
  };

  const handle = async (path, request, response) => {
    if (path === '/jwks') {
      op.jwksRequests++;
      return json(response, 200, { keys: [keyOf().publicJwk] });
    }
    if (path === '/.well-known/openid-configuration')
      return json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        id_token_signing_alg_values_supported: ['RS256', 'HS256'],
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
      });
    if (path !== '/token' || request.method !== 'POST') return json(response, 404, {});
    op.tokenRequests++;
    const form = new URLSearchParams(await readBody(request));
    const pending = codes.get(form.get('code'));
    codes.delete(form.get('code'));
    if (!pending || form.get('client_secret') !== secret || form.get('client_id') !== clientId)
      return json(response, 400, { error: 'invalid_grant' });
    // PKCE checked as a real OP would, so the app's verifier round trip is exercised.
    const verifier = form.get('code_verifier') ?? '';
    if (pending.challenge !== createHash('sha256').update(verifier).digest('base64url'))
      return json(response, 400, { error: 'invalid_grant' });
    const now = Math.floor(Date.now() / 1000);
    const idToken = op.sign(
      {
        iss: issuer,
        aud: clientId,
        sub: pending.subject,
        sid: `sid-${randomBytes(8).toString('hex')}`,
        iat: now,
        exp: now + 300,
        ...(pending.nonce ? { nonce: pending.nonce } : {}),
        preferred_username: pending.subject,
        email: `${pending.subject}@bench.example`,
      },
      op.idTokenAlg,
    );
    return json(response, 200, {
      access_token: randomBytes(16).toString('base64url'),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
  };
  return { op, handle };
}

/** Name of an extra issuer: one path segment (`<op>/<name>` is its issuer URL). */
const ISSUER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The fake OP. Its issuer is the server's root URL; `op.addIssuer(name)` adds another issuer at
 * `<root>/<name>` (own client id and secret, own RSA key, own codes), answered with the same
 * interface (`issuer`, `authorize`, `sign`, `logoutToken`, `settings`, counters).
 */
export async function startFakeOp({ clientId = 'bench-client', clientSecret } = {}) {
  const server = http.createServer();
  server.keepAliveTimeout = 60_000;
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const root = createIssuer(`http://127.0.0.1:${server.address().port}`, {
    clientId,
    clientSecret,
  });
  /** name -> extra issuer */
  const issuers = new Map();
  const op = Object.assign(root.op, {
    /** Another issuer at `<root>/<name>`, with its own client and key. */
    addIssuer(name, { clientId: id = `bench-client-${name}`, clientSecret: secret } = {}) {
      if (!ISSUER_NAME.test(name) || issuers.has(name))
        throw new Error(`bad or duplicate issuer name ${name}`);
      const extra = createIssuer(`${root.op.issuer}/${name}`, {
        clientId: id,
        clientSecret: secret,
        lazyKey: true,
      });
      issuers.set(name, extra);
      return extra.op;
    },
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  });

  server.on('request', (request, response) => {
    const path = new URL(request.url, root.op.issuer).pathname;
    const prefixed = /^\/([^/]+)(\/.*)$/.exec(path);
    const extra = prefixed && issuers.get(prefixed[1]);
    if (extra) return extra.handle(prefixed[2], request, response);
    return root.handle(path, request, response);
  });
  return op;
}

/**
 * One complete browser login over HTTP: /auth/oidc/login → (OP, instant) → /auth/oidc/callback
 * (through provider `providerId`'s /auth/oidc/<id>/login and callback when given).
 * Answers the session token from the Set-Cookie; throws on any refusal.
 */
export async function oidcLogin(request, app, op, browser, subject, providerId) {
  const headers = browser.id ? { cookie: `auth_login_state=${browser.id}` } : {};
  // `default` signs in at /auth/oidc/login, any other provider at /auth/oidc/<id>/login.
  const login = providerId ? `${providerId}/login` : 'login';
  const start = await request(`${app.url}/api/v1/auth/oidc/${login}?returnTo=/bench`, { headers });
  if (start.status !== 302) throw new Error(`login start answered ${start.status}: ${start.body}`);
  const stateCookie = [start.headers['set-cookie'] ?? []]
    .flat()
    .find((c) => c.startsWith('auth_login_state='));
  if (stateCookie) browser.id = stateCookie.split(';')[0].slice('auth_login_state='.length);
  const back = op.authorize(start.headers.location, subject);
  const callback = await request(`${app.url}${back.pathname}${back.search}`, {
    headers: { cookie: `auth_login_state=${browser.id}` },
  });
  if (callback.status !== 302 || callback.headers.location !== '/bench')
    throw new Error(`callback answered ${callback.status} ${callback.headers.location}`);
  const session = [callback.headers['set-cookie'] ?? []]
    .flat()
    .find((c) => c.startsWith('auth_session='));
  if (!session) throw new Error('callback set no session cookie');
  return session.split(';')[0].slice('auth_session='.length);
}

/** Switches the app to OIDC sign-in against the fake OP. */
export async function configureOidc(app, adminToken, putSettings, op, overrides) {
  return putSettings(app, adminToken, { method: 'oidc', oidc: op.settings(overrides) });
}
