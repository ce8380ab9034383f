import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';

export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * A minimal IdP for crafted logout tokens: an RSA key served as JWKS on 127.0.0.1 and a
 * signer whose header and claims a test can bend any way it likes.
 */
export interface LogoutTokenSigner {
  issuer: string;
  jwksUri: string;
  clientId: string;
  /** A well-formed logout token claims set (fresh jti each call) with `overrides` merged; `undefined` values delete claims. */
  claims(overrides?: Record<string, unknown>): JWTPayload;
  /** Signs with the JWKS key (RS256 unless `alg` says another RS*). */
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** Signs with an HMAC key (e.g. the client secret). */
  signHmac(claims: JWTPayload, secret: string, alg?: string): Promise<string>;
  /** An unsigned `alg: none` token. */
  unsigned(claims: JWTPayload): string;
  close(): Promise<void>;
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export async function startLogoutTokenSigner(clientId = 'app-client'): Promise<LogoutTokenSigner> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
  const server: Server = createServer((request, response) => {
    if (request.url === '/jwks') {
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const claims = (overrides: Record<string, unknown> = {}): JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    const base: Record<string, unknown> = {
      iss: issuer,
      aud: clientId,
      iat: now,
      exp: now + 120,
      jti: randomUUID(),
      events: { [LOGOUT_EVENT]: {} },
      sub: 'user-sub',
      sid: 'idp-sid',
      ...overrides,
    };
    for (const key of Object.keys(base)) if (base[key] === undefined) delete base[key];
    return base;
  };

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    clientId,
    claims,
    sign: async (payload, header = {}) => {
      const alg = typeof header.alg === 'string' ? header.alg : 'RS256';
      // The same RSA key, imported for the requested RS* algorithm.
      const key = alg === 'RS256' ? privateKey : await importJWK(privateJwk, alg);
      return new SignJWT(payload)
        .setProtectedHeader({ alg, kid, typ: 'logout+jwt', ...header })
        .sign(key);
    },
    signHmac: (payload, secret, alg = 'HS256') =>
      new SignJWT(payload)
        .setProtectedHeader({ alg, typ: 'logout+jwt' })
        .sign(new TextEncoder().encode(secret)),
    unsigned: (payload) => `${b64({ alg: 'none', typ: 'logout+jwt' })}.${b64(payload)}.`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
