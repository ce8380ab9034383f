import { Injectable } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';

/**
 * How keys for a JWS algorithm are found:
 * - `jwks`: an asymmetric algorithm, keys from the IdP's JWKS filtered by `kty` (and `crv`);
 * - `client_secret`: an HMAC algorithm keyed by the client secret.
 */
export interface SignatureAlgorithmDefinition {
  /** JWS `alg` name, e.g. `ES256`. */
  name: string;
  keySource: 'jwks' | 'client_secret';
  /** JWK `kty` a key must have (`RSA`, `EC`, `OKP`); required for `jwks`. */
  kty?: string;
  /** JWK `crv` a key must have, when the algorithm fixes the curve (`P-256`, `Ed25519`). */
  crv?: string;
  /** Smallest RSA modulus in bits accepted (RSA only). Default 2048. */
  minRsaBits?: number;
}

export const BUILT_IN_ALGORITHMS: readonly SignatureAlgorithmDefinition[] = [
  { name: 'RS256', keySource: 'jwks', kty: 'RSA', minRsaBits: 2048 },
  { name: 'RS384', keySource: 'jwks', kty: 'RSA', minRsaBits: 2048 },
  { name: 'RS512', keySource: 'jwks', kty: 'RSA', minRsaBits: 2048 },
  { name: 'HS256', keySource: 'client_secret' },
  { name: 'HS384', keySource: 'client_secret' },
  { name: 'HS512', keySource: 'client_secret' },
];

/** Validates a host-supplied definition; fails at start-up naming the option. */
function checkDefinition(definition: SignatureAlgorithmDefinition): SignatureAlgorithmDefinition {
  const where = `AuthModule option "signatureAlgorithms" entry ${JSON.stringify(definition?.name)}`;
  if (
    !definition ||
    typeof definition.name !== 'string' ||
    !/^[A-Za-z0-9+_-]{2,32}$/.test(definition.name)
  ) {
    throw new Error(`${where}: name must be a JWS algorithm name.`);
  }
  if (definition.name.toLowerCase() === 'none')
    throw new Error(`${where}: "none" can never be allowed.`);
  if (definition.keySource !== 'jwks' && definition.keySource !== 'client_secret') {
    throw new Error(`${where}: keySource must be "jwks" or "client_secret".`);
  }
  if (definition.keySource === 'jwks' && !definition.kty)
    throw new Error(`${where}: kty is required for JWKS keys.`);
  return definition;
}

/** The signature algorithms the module accepts: the built-in ones plus the host's. */
@Injectable()
export class AlgorithmRegistry {
  private readonly byName = new Map<string, SignatureAlgorithmDefinition>();

  constructor(@InjectAuthOptions() options: Pick<ResolvedAuthOptions, 'signatureAlgorithms'>) {
    for (const definition of [
      ...BUILT_IN_ALGORITHMS,
      ...options.signatureAlgorithms.map(checkDefinition),
    ]) {
      this.byName.set(definition.name, definition);
    }
  }

  get(name: string): SignatureAlgorithmDefinition | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
