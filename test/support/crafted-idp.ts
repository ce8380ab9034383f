// A token-crafting fake IdP on 127.0.0.1 (port 0): discovery, authorize (instant redirect),
// token endpoint answering whatever ID token the test crafts, JWKS with rotation, UserInfo.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { JWK, JWTPayload } from 'jose';
import { SignJWT } from 'jose';

export interface AuthorizeRequest {
  params: URLSearchParams;
  nonce: string | undefined;
  state: string | undefined;
  codeChallenge: string | undefined;
}

export interface TokenRequest {
  form: URLSearchParams;
  authorization: string | undefined;
  /** The authorization request the code was issued for. */
  authorize: AuthorizeRequest;
}

export interface RsaKey {
  kid: string | undefined;
  privateKey: KeyObject;
  publicJwk: JWK;
  publicPem: string;
}

export type TokenHandler = (
  request: TokenRequest,
  idp: CraftedIdp,
) => Promise<Record<string, unknown> | { status: number; body: unknown }>;

export interface CraftedIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Current signing key (served in the JWKS). */
  key: RsaKey;
  /** Keys served by /jwks (defaults to [key]). */
  jwks: JWK[];
  /** JWKS requests served so far. */
  jwksRequests: number;
  tokenRequests: TokenRequest[];
  /** Builds the token response; default: a valid RS256 ID token for `sub-1`. */
  onToken: TokenHandler;
  /** UserInfo answer (status 200) or a function; default `{sub: 'sub-1'}`. */
  userInfo: Record<string, unknown> | { status: number; body: unknown };
  /** Makes every endpoint hang without answering. */
  hang: boolean;
  /** RFC 9207 `iss` added to the authorization response when set. */
  responseIss: string | undefined;
  /** Issuer named by the discovery document (default the real one). */
  discoveryIssuer: string | undefined;
  /** Valid claims for this login (iss, aud, sub, iat, exp, nonce), merged with `overrides`; undefined deletes. */
  claims(request: TokenRequest, overrides?: Record<string, unknown>): JWTPayload;
  signRsa(
    claims: JWTPayload,
    options?: { alg?: string; key?: RsaKey; header?: Record<string, unknown> },
  ): Promise<string>;
  signHmac(claims: JWTPayload, secret: string | Uint8Array, alg?: string): Promise<string>;
  unsigned(claims: JWTPayload): string;
  /** New RSA key; `kid: null` gives a key without kid. Replaces the JWKS with it. */
  rotateKey(options?: { kid?: string | null; bits?: number }): Promise<RsaKey>;
  /** Settings `oidc` object for this IdP. */
  settings(overrides?: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
}

function newKey(kid: string | null, bits = 2048): RsaKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  if (kid) publicJwk.kid = kid;
  publicJwk.use = 'sig';
  return {
    kid: kid ?? undefined,
    privateKey,
    publicJwk,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

export async function startCraftedIdp(
  options: { clientId?: string; clientSecret?: string } = {},
): Promise<CraftedIdp> {
  const codes = new Map<string, AuthorizeRequest>();
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = newKey(`k-${randomBytes(4).toString('hex')}`);

  const idp: CraftedIdp = {
    issuer,
    clientId: options.clientId ?? 'crafted-client',
    clientSecret:
      options.clientSecret ?? 'crafted-client-secret-0123456789abcdef-0123456789abcdef-01234567',
    key,
    jwks: [key.publicJwk],
    jwksRequests: 0,
    tokenRequests: [],
    userInfo: { sub: 'sub-1' },
    hang: false,
    discoveryIssuer: undefined,
    responseIss: undefined,
    onToken: async (request, self) => ({
      access_token: 'at-' + randomBytes(8).toString('hex'),
      token_type: 'Bearer',
      id_token: await self.signRsa(self.claims(request)),
    }),
    claims(request, overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: issuer,
        aud: idp.clientId,
        sub: 'sub-1',
        iat: now,
        exp: now + 300,
        nonce: request.authorize.nonce,
        preferred_username: 'crafted.user',
        ...overrides,
      };
      for (const [name, value] of Object.entries(claims))
        if (value === undefined) delete claims[name];
      return claims;
    },
    signRsa(claims, signOptions = {}) {
      const signing = signOptions.key ?? idp.key;
      const alg = signOptions.alg ?? 'RS256';
      const header = { alg, ...(signing.kid ? { kid: signing.kid } : {}), ...signOptions.header };
      // Signed by hand (RSASSA-PKCS1-v1_5) so tests can craft what a library would refuse to.
      const input = `${b64(header)}.${b64(claims)}`;
      const digest = `sha${alg.slice(2)}`;
      const signature = sign(digest, Buffer.from(input), signing.privateKey).toString('base64url');
      return Promise.resolve(`${input}.${signature}`);
    },
    async signHmac(claims, secret, alg = 'HS256') {
      const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
      return new SignJWT(claims).setProtectedHeader({ alg }).sign(bytes);
    },
    unsigned(claims) {
      return `${b64({ alg: 'none' })}.${b64(claims)}.`;
    },
    rotateKey(rotate = {}) {
      const kid =
        rotate.kid === null ? null : (rotate.kid ?? `k-${randomBytes(4).toString('hex')}`);
      idp.key = newKey(kid, rotate.bits);
      idp.jwks = [idp.key.publicJwk];
      return Promise.resolve(idp.key);
    },
    settings(overrides = {}) {
      return {
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        issuer,
        authorizationEndpoint: `${issuer}/authorize`,
        tokenEndpoint: `${issuer}/token`,
        jwksEndpoint: `${issuer}/jwks`,
        userInfoEndpoint: null,
        usernameClaim: 'preferred_username',
        createUser: true,
        signatureAlgorithms: ['RS256'],
        // Explicit defaults: a settings PUT keeps every field left out.
        tokenEndpointAuthMethod: 'client_secret_post',
        scopes: ['profile', 'email'],
        prompt: null,
        maxAge: null,
        groupClaim: null,
        pkce: true,
        sync: false,
        ...overrides,
      };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (idp.hang) return; // never answers: the relying party must time out
    const url = new URL(request.url ?? '/', issuer);
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        return json(response, 200, {
          issuer: idp.discoveryIssuer ?? issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          userinfo_endpoint: `${issuer}/userinfo`,
          jwks_uri: `${issuer}/jwks`,
          end_session_endpoint: `${issuer}/logout`,
          id_token_signing_alg_values_supported: ['RS256', 'ES256', 'HS256', 'none'],
          token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
        });
      case '/jwks':
        idp.jwksRequests++;
        return json(response, 200, { keys: idp.jwks });
      case '/authorize': {
        const code = randomBytes(16).toString('base64url');
        const params = url.searchParams;
        codes.set(code, {
          params,
          nonce: params.get('nonce') ?? undefined,
          state: params.get('state') ?? undefined,
          codeChallenge: params.get('code_challenge') ?? undefined,
        });
        const back = new URL(params.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        if (params.get('state')) back.searchParams.set('state', params.get('state') ?? '');
        if (idp.responseIss !== undefined) back.searchParams.set('iss', idp.responseIss);
        response.writeHead(302, { location: back.href });
        response.end();
        return;
      }
      case '/token': {
        const form = new URLSearchParams(await readBody(request));
        const authorize = codes.get(form.get('code') ?? '');
        if (!authorize) return json(response, 400, { error: 'invalid_grant' });
        // PKCE is checked like a real IdP would, so a missing or wrong verifier fails.
        if (authorize.codeChallenge) {
          const verifier = form.get('code_verifier') ?? '';
          const challenge = createHash('sha256').update(verifier).digest('base64url');
          if (challenge !== authorize.codeChallenge)
            return json(response, 400, { error: 'invalid_grant' });
        }
        const tokenRequest: TokenRequest = {
          form,
          authorization: request.headers.authorization,
          authorize,
        };
        idp.tokenRequests.push(tokenRequest);
        const answer = await idp.onToken(tokenRequest, idp);
        if ('status' in answer && typeof answer.status === 'number' && 'body' in answer)
          return json(response, answer.status, answer.body);
        return json(response, 200, answer);
      }
      case '/userinfo': {
        const answer = idp.userInfo;
        if ('status' in answer && typeof answer.status === 'number' && 'body' in answer)
          return json(response, answer.status, answer.body);
        return json(response, 200, answer);
      }
      default:
        return json(response, 404, { error: 'not_found' });
    }
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) =>
      json(response, 500, { error: String(error) }),
    );
  });
  return idp;
}
