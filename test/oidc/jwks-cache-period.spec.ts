import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAuthOptions } from '../../src/auth-options.js';
import { AlgorithmRegistry } from '../../src/oidc/algorithm-registry.js';
import { IdpHttpClient } from '../../src/oidc/idp-http.client.js';
import { IdpKeysService } from '../../src/oidc/idp-keys.service.js';
import {
  type AuthSettings,
  DEFAULT_OIDC_SETTINGS,
} from '../../src/settings/auth-settings.types.js';
import { validateSettingsUpdate } from '../../src/settings/settings-validator.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';

describe('jwksCachePeriod', () => {
  let idp: CraftedIdp;
  const options = resolveAuthOptions({
    siteUrl: 'http://127.0.0.1:3000',
    secretKey: 'a'.repeat(64),
    idpTimeoutMs: 2000,
    jwksRefetchCooldownSeconds: 1,
  });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const newService = () =>
    new IdpKeysService(new IdpHttpClient(options), new AlgorithmRegistry(options), options);
  const settingsWith = (jwksCachePeriod: number): AuthSettings => ({
    method: 'oidc',
    version: 1,
    oidc: {
      ...DEFAULT_OIDC_SETTINGS,
      ...(idp.settings() as object),
      jwksCachePeriod,
      clientSecret: idp.clientSecret,
    },
  });
  const token = () => {
    const now = Math.floor(Date.now() / 1000);
    return idp.signRsa({ iss: idp.issuer, sub: 's', iat: now, exp: now + 60 });
  };

  beforeAll(async () => {
    idp = await startCraftedIdp();
  });
  afterAll(async () => {
    await idp?.stop();
  });

  it('is 600 seconds by default', () => {
    expect(DEFAULT_OIDC_SETTINGS.jwksCachePeriod).toBe(600);
  });

  it('uses a fetched JWKS for the whole period: two verifications, one fetch', async () => {
    const keys = newService();
    await keys.verifySignature(await token(), settingsWith(600));
    await pause(1100); // past the 1 s refetch cooldown: only the period keeps the set
    await keys.verifySignature(await token(), settingsWith(600));
    expect(keys.jwksFetchCount).toBe(1);
  });

  it('fetches again once the period is over', async () => {
    const keys = newService();
    await keys.verifySignature(await token(), settingsWith(1));
    await pause(1100);
    await keys.verifySignature(await token(), settingsWith(1));
    expect(keys.jwksFetchCount).toBe(2);
  });

  it('is validated as whole seconds from 0 to 86400', async () => {
    const context = {
      current: { method: 'password' as const, oidc: DEFAULT_OIDC_SETTINGS, clientSecretSet: false },
      isAlgorithmRegistered: () => true,
      isJwksAlgorithm: () => true,
      isSecretAlgorithm: () => false,
      teamExists: () => Promise.resolve(new Set<string>()),
    };
    for (const bad of [-1, 1.5, '600', 86_401, null]) {
      await expect(
        validateSettingsUpdate({ oidc: { jwksCachePeriod: bad } }, context),
      ).rejects.toMatchObject({ fields: { 'oidc.jwksCachePeriod': expect.any(String) } });
    }
    const ok = await validateSettingsUpdate({ oidc: { jwksCachePeriod: 3600 } }, context);
    expect(ok.oidc.jwksCachePeriod).toBe(3600);
  });
});
