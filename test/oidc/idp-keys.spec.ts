import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAuthOptions } from '../../src/auth-options.js';
import { AlgorithmRegistry } from '../../src/oidc/algorithm-registry.js';
import { IdpHttpClient } from '../../src/oidc/idp-http.client.js';
import { IdpKeysService } from '../../src/oidc/idp-keys.service.js';
import type { AuthSettings } from '../../src/settings/auth-settings.types.js';
import { DEFAULT_OIDC_SETTINGS } from '../../src/settings/auth-settings.types.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';

describe('IdpKeysService', () => {
  let idp: CraftedIdp;
  let settings: AuthSettings;
  const options = resolveAuthOptions({
    siteUrl: 'http://127.0.0.1:3000',
    secretKey: 'a'.repeat(64),
    jwksRefetchCooldownSeconds: 30,
    idpTimeoutMs: 2000,
  });
  const newService = () =>
    new IdpKeysService(new IdpHttpClient(options), new AlgorithmRegistry(options), options);
  const now = () => Math.floor(Date.now() / 1000);
  const token = (kid?: string) =>
    idp.signRsa(
      { iss: idp.issuer, sub: 's', iat: now(), exp: now() + 60 },
      kid ? { header: { kid } } : {},
    );

  beforeAll(async () => {
    idp = await startCraftedIdp();
    settings = {
      method: 'oidc',
      version: 1,
      oidc: {
        ...DEFAULT_OIDC_SETTINGS,
        ...idp.settings(),
        clientSecret: idp.clientSecret,
      },
    };
  });

  afterAll(async () => {
    await idp?.stop();
  });

  it('caches the JWKS: many verifications, one fetch', async () => {
    const keys = newService();
    const jwt = await token();
    await Promise.all(Array.from({ length: 20 }, () => keys.verifySignature(jwt, settings)));
    expect(keys.jwksFetchCount).toBe(1);
  });

  it('refetches at most once for a flood of unknown kids (single flight and cooldown)', async () => {
    const keys = newService();
    await keys.verifySignature(await token(), settings);
    const before = idp.jwksRequests;
    const forged = await Promise.all(Array.from({ length: 30 }, (_, i) => token(`unknown-${i}`)));
    const results = await Promise.allSettled(
      forged.map((jwt) => keys.verifySignature(jwt, settings)),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(idp.jwksRequests - before).toBeLessThanOrEqual(1);
    expect(keys.jwksFetchCount).toBeLessThanOrEqual(2);
  });

  it('never takes a key from the jwk or jku header', async () => {
    const keys = newService();
    const attacker = await startCraftedIdp();
    await attacker.stop();
    const jwt = await idp.signRsa(
      { iss: idp.issuer, sub: 's', iat: now(), exp: now() + 60 },
      {
        key: { ...attacker.key, kid: undefined },
        header: { jwk: attacker.key.publicJwk, jku: `${attacker.issuer}/jwks` },
      },
    );
    await expect(keys.verifySignature(jwt, settings)).rejects.toMatchObject({
      code: 'id_token_invalid_signature',
    });
  });

  it('refuses garbage as id_token_malformed', async () => {
    const keys = newService();
    await expect(keys.verifySignature('not-a-jwt', settings)).rejects.toMatchObject({
      code: 'id_token_malformed',
    });
  });

  it('gives up on a JWKS larger than idpMaxResponseBytes with idp_unreachable', async () => {
    const small = resolveAuthOptions({
      siteUrl: 'http://127.0.0.1:3000',
      secretKey: 'a'.repeat(64),
      idpMaxResponseBytes: 200,
    });
    const keys = new IdpKeysService(new IdpHttpClient(small), new AlgorithmRegistry(small), small);
    await expect(keys.verifySignature(await token(), settings)).rejects.toMatchObject({
      code: 'idp_unreachable',
      message: expect.stringContaining('exceeds 200 bytes'),
    });
  });
});
