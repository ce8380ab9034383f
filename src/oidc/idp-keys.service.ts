import { Injectable, Logger } from '@nestjs/common';
import { webcrypto } from 'node:crypto';
import {
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
} from 'jose';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { AlgorithmRegistry, type SignatureAlgorithmDefinition } from './algorithm-registry.js';
import { hsSecretTooShortMessage, minHmacSecretBytes, secretBytes } from './hs-secret.js';
import { IdpHttpClient } from './idp-http.client.js';

/** A cached JWKS is used this long before a regular refetch when the settings say nothing. */
const DEFAULT_JWKS_CACHE_SECONDS = 600;
/** Bounds the verification work one token can cause. */
const MAX_CANDIDATE_KEYS = 4;
const MAX_KEYS_PER_SET = 100;

interface JwksEntry {
  keys: JWK[];
  /** Last successful fetch. */
  fetchedAt: number;
  /** Last fetch attempt, successful or not: the cooldown counts from it. */
  attemptedAt: number;
  /** In-flight fetch, shared by every caller (single flight). */
  pending?: Promise<JWK[]>;
}

export interface VerifiedJws {
  header: JWSHeaderParameters;
  payload: JWTPayload;
}

/** `jwksCachePeriod` of the settings (seconds) in milliseconds. */
function jwksMaxAgeMs(settings: AuthSettings): number {
  const seconds: unknown = settings.oidc.jwksCachePeriod;
  return (
    (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
      ? seconds
      : DEFAULT_JWKS_CACHE_SECONDS) * 1000
  );
}

/** Bits of an RSA modulus given as base64url. */
function rsaModulusBits(n: unknown): number {
  if (typeof n !== 'string') return 0;
  const bytes = Buffer.from(n, 'base64url');
  let leading = 0;
  while (leading < bytes.length && bytes[leading] === 0) leading++;
  const significant = bytes.subarray(leading);
  if (significant.length === 0) return 0;
  return (significant.length - 1) * 8 + Math.floor(Math.log2(significant[0])) + 1;
}

/** Hash of each HMAC JWS algorithm (RFC 7518 3.2). */
const HMAC_HASH: Record<string, string> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };

/**
 * Checks JWS signatures of tokens from the configured IdP (ID tokens, logout tokens).
 * Only the algorithms both allowed by the settings and registered; keys only from the
 * configured JWKS or the client secret, never from the token's own headers.
 */
@Injectable()
export class IdpKeysService {
  private readonly logger = new Logger('IdpKeys');
  private readonly jwks = new Map<string, JwksEntry>();
  private readonly importedKeys = new WeakMap<JWK, Map<string, Promise<CryptoKey | Uint8Array>>>();
  /** HMAC keys by the settings object they were made from (a new version is a new object). */
  private readonly secretKeys = new WeakMap<object, Map<string, Promise<CryptoKey>>>();
  private fetches = 0;

  constructor(
    private readonly http: IdpHttpClient,
    private readonly algorithms: AlgorithmRegistry,
    @InjectAuthOptions()
    private readonly options: Pick<ResolvedAuthOptions, 'jwksRefetchCooldownSeconds'>,
  ) {}

  /** Count of JWKS HTTP fetches so far (benchmarks and tests read it). */
  get jwksFetchCount(): number {
    return this.fetches;
  }

  /** Verifies the signature of a compact JWS; claims are NOT checked here. */
  async verifySignature(token: string, settings: AuthSettings): Promise<VerifiedJws> {
    const header = this.readHeader(token);
    const definition = this.allowedAlgorithm(header, settings);
    if (definition.keySource === 'client_secret') {
      const secret = settings.oidc.clientSecret;
      if (!secret)
        throw new AuthError(
          'id_token_alg_not_allowed',
          `The token is signed with ${definition.name}, which needs the client secret, but none is set.`,
        );
      // A short HMAC key can be guessed online; settings saved before this rule are refused here.
      const needed = minHmacSecretBytes(definition.name);
      if (secretBytes(secret) < needed)
        throw new AuthError(
          'hs_secret_too_short',
          hsSecretTooShortMessage(definition.name, needed, secretBytes(secret)),
        );
      return this.verifyWith(
        token,
        await this.secretKey(settings, definition.name),
        definition.name,
      );
    }
    const endpoint = settings.oidc.jwksEndpoint;
    if (!endpoint)
      throw new AuthError(
        'id_token_alg_not_allowed',
        `The token is signed with ${definition.name}, but no JWKS endpoint is configured.`,
      );
    const fetchesBefore = this.fetches;
    const cached = await this.keysOf(endpoint, jwksMaxAgeMs(settings));
    const first = await this.tryKeys(token, header, definition, cached);
    if (first.verified) return first.verified;
    let outcome = first;
    // Unknown kid (or no kid and no key fits): the IdP may have rotated; refetch once, cooldown applies.
    if (this.fetches === fetchesBefore) {
      const refreshed = await this.refetch(endpoint);
      if (refreshed !== cached) outcome = await this.tryKeys(token, header, definition, refreshed);
      if (outcome.verified) return outcome.verified;
    }
    if (!outcome.matched)
      throw new AuthError(
        'id_token_invalid_signature',
        `No key of the IdP's JWKS matches the token (alg ${definition.name}${
          typeof header.kid === 'string' ? `, kid ${JSON.stringify(header.kid.slice(0, 64))}` : ''
        }).`,
      );
    throw new AuthError('id_token_invalid_signature', 'The token signature is invalid.', {
      cause: outcome.lastError,
    });
  }

  /** Tries the matching keys of a set; `matched` says whether any key fit the token at all. */
  private async tryKeys(
    token: string,
    header: JWSHeaderParameters,
    definition: SignatureAlgorithmDefinition,
    keys: JWK[],
  ): Promise<{ verified?: VerifiedJws; matched: boolean; lastError?: unknown }> {
    const candidates = this.candidates(keys, header, definition).slice(0, MAX_CANDIDATE_KEYS);
    let lastError: unknown;
    for (const jwk of candidates) {
      let key: CryptoKey | Uint8Array;
      try {
        key = await this.importKey(jwk, definition.name);
      } catch (error) {
        lastError = error;
        continue;
      }
      try {
        return { verified: await this.verifyWith(token, key, definition.name), matched: true };
      } catch (error) {
        if (error instanceof AuthError && error.code !== 'id_token_invalid_signature') throw error;
        lastError = error;
      }
    }
    return { matched: candidates.length > 0, lastError };
  }

  private readHeader(token: string): JWSHeaderParameters {
    if (typeof token !== 'string' || token.split('.').length !== 3)
      throw new AuthError('id_token_malformed', 'The token is not a compact signed JWT.');
    let header: JWSHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch (error) {
      throw new AuthError('id_token_malformed', 'The token header cannot be decoded.', {
        cause: error,
      });
    }
    // No critical extension is understood here, so any is refused (RFC 7515 §4.1.11).
    if (header.crit !== undefined)
      throw new AuthError('id_token_malformed', 'The token has a "crit" header, which is refused.');
    return header;
  }

  private allowedAlgorithm(
    header: JWSHeaderParameters,
    settings: AuthSettings,
  ): SignatureAlgorithmDefinition {
    const alg = header.alg;
    if (typeof alg !== 'string' || alg.length === 0)
      throw new AuthError('id_token_malformed', 'The token header has no "alg".');
    // "none" is refused even if someone managed to put it in the settings.
    const definition = alg.toLowerCase() === 'none' ? undefined : this.algorithms.get(alg);
    if (!definition || !settings.oidc.signatureAlgorithms.includes(alg))
      throw new AuthError(
        'id_token_alg_not_allowed',
        `The token is signed with ${JSON.stringify(alg.slice(0, 32))}, which is not in the allowed signature algorithms (${settings.oidc.signatureAlgorithms.join(', ')}).`,
      );
    return definition;
  }

  private async verifyWith(
    token: string,
    key: CryptoKey | Uint8Array,
    alg: string,
  ): Promise<VerifiedJws> {
    let verified: Awaited<ReturnType<typeof compactVerify>>;
    try {
      verified = await compactVerify(token, key, { algorithms: [alg] });
    } catch (error) {
      throw new AuthError('id_token_invalid_signature', 'The token signature is invalid.', {
        cause: error,
      });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder().decode(verified.payload));
    } catch (error) {
      throw new AuthError('id_token_malformed', 'The token payload is not JSON.', { cause: error });
    }
    if (!payload || typeof payload !== 'object' || Array.isArray(payload))
      throw new AuthError('id_token_malformed', 'The token payload is not a JSON object.');
    return { header: verified.protectedHeader, payload: payload as JWTPayload };
  }

  /** Keys usable for this token: kty/crv of the algorithm, signing keys only, big enough. */
  private candidates(
    keys: JWK[],
    header: JWSHeaderParameters,
    definition: SignatureAlgorithmDefinition,
  ): JWK[] {
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    return keys.filter((jwk) => {
      if (jwk.kty !== definition.kty) return false;
      if (definition.crv && jwk.crv !== definition.crv) return false;
      if (jwk.use !== undefined && jwk.use !== 'sig') return false;
      if (Array.isArray(jwk.key_ops) && !jwk.key_ops.includes('verify')) return false;
      if (jwk.alg !== undefined && jwk.alg !== definition.name) return false;
      if (jwk.kty === 'RSA' && rsaModulusBits(jwk.n) < (definition.minRsaBits ?? 2048))
        return false;
      if ('d' in jwk || 'k' in jwk) return false;
      // A token naming a kid only matches that key; a token without kid tries every match.
      return kid === undefined || jwk.kid === kid;
    });
  }

  /**
   * The client secret as an HMAC key, imported once per settings version and algorithm (jose
   * would import raw bytes again on every verification).
   */
  private secretKey(settings: AuthSettings, alg: string): Promise<CryptoKey | Uint8Array> {
    const bytes = new TextEncoder().encode(settings.oidc.clientSecret);
    const hash = HMAC_HASH[alg];
    if (!hash) return Promise.resolve(bytes);
    let byAlg = this.secretKeys.get(settings.oidc);
    if (!byAlg) {
      byAlg = new Map();
      this.secretKeys.set(settings.oidc, byAlg);
    }
    let imported = byAlg.get(alg);
    if (!imported) {
      imported = webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash }, false, [
        'verify',
      ]);
      byAlg.set(alg, imported);
    }
    return imported;
  }

  private importKey(jwk: JWK, alg: string): Promise<CryptoKey | Uint8Array> {
    let byAlg = this.importedKeys.get(jwk);
    if (!byAlg) {
      byAlg = new Map();
      this.importedKeys.set(jwk, byAlg);
    }
    let imported = byAlg.get(alg);
    if (!imported) {
      // Only the public key parameters: x5c and friends are never used.
      const { kty, n, e, crv, x, y } = jwk;
      imported = importJWK({ kty, n, e, crv, x, y }, alg);
      byAlg.set(alg, imported);
    }
    return imported;
  }

  private async keysOf(endpoint: string, maxAgeMs: number): Promise<JWK[]> {
    const entry = this.jwks.get(endpoint);
    if (entry?.pending) return entry.pending;
    if (entry && entry.keys.length > 0 && Date.now() - entry.fetchedAt < maxAgeMs)
      return entry.keys;
    if (entry && this.inCooldown(entry)) {
      // The last attempt failed moments ago: answer from what we have instead of hammering the IdP.
      if (entry.keys.length > 0) return entry.keys;
      throw new AuthError(
        'idp_unreachable',
        "The IdP's JWKS could not be fetched a moment ago; retrying after the cooldown.",
      );
    }
    try {
      return await this.fetchShared(endpoint);
    } catch (error) {
      // A stale set still verifies tokens when the IdP is briefly down.
      if (entry && entry.keys.length > 0) return entry.keys;
      throw error;
    }
  }

  /** Refetch for an unknown kid: at most once per cooldown, shared by concurrent callers. */
  private async refetch(endpoint: string): Promise<JWK[]> {
    const entry = this.jwks.get(endpoint);
    if (entry?.pending) return entry.pending;
    if (entry && this.inCooldown(entry)) return entry.keys;
    try {
      return await this.fetchShared(endpoint);
    } catch (error) {
      if (entry && entry.keys.length > 0) return entry.keys;
      throw error;
    }
  }

  private inCooldown(entry: JwksEntry): boolean {
    return Date.now() - entry.attemptedAt < this.options.jwksRefetchCooldownSeconds * 1000;
  }

  private fetchShared(endpoint: string): Promise<JWK[]> {
    let entry = this.jwks.get(endpoint);
    if (!entry) {
      entry = { keys: [], fetchedAt: 0, attemptedAt: 0 };
      this.jwks.set(endpoint, entry);
    }
    const target = entry;
    target.attemptedAt = Date.now();
    const pending = this.fetchJwks(endpoint).then(
      (keys) => {
        target.keys = keys;
        target.fetchedAt = Date.now();
        target.pending = undefined;
        return keys;
      },
      (error: unknown) => {
        target.pending = undefined;
        throw error;
      },
    );
    target.pending = pending;
    return pending;
  }

  private async fetchJwks(endpoint: string): Promise<JWK[]> {
    this.fetches++;
    const response = await this.http.request(endpoint, {
      failCode: 'idp_unreachable',
      what: 'the JWKS request',
    });
    const body = response.json as { keys?: unknown } | undefined;
    if (response.status !== 200 || !body || !Array.isArray(body.keys))
      throw new AuthError(
        'idp_unreachable',
        `The IdP's JWKS endpoint answered ${response.status} without a key set.`,
      );
    const keys = body.keys
      .filter((key): key is JWK => !!key && typeof key === 'object' && !Array.isArray(key))
      .slice(0, MAX_KEYS_PER_SET);
    this.logger.debug(`Fetched JWKS with ${keys.length} key(s).`);
    return keys;
  }
}
