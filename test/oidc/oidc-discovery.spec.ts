import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIdp, type LocalIdp } from '../../src/demo/local-idp.js';
import { api, createUser, loginAsAdmin } from '../support/auth-helpers.js';
import { type CraftedIdp, startCraftedIdp } from '../support/crafted-idp.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PATH = '/api/v1/admin/authentication/discover';

describe('POST /admin/authentication/discover', () => {
  let t: TestApp;
  let crafted: CraftedIdp;
  let local: LocalIdp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    crafted = await startCraftedIdp();
    local = await startLocalIdp({
      clients: [
        {
          client_id: 'c',
          client_secret: 'secret-secret-secret',
          redirect_uris: [`${t.baseUrl}/cb`],
        },
      ],
      accounts: [],
    });
    admin = await loginAsAdmin(t);
  });

  afterAll(async () => {
    await local?.stop();
    await crafted?.stop();
    await t?.close();
  });

  it('fills the endpoints from a real oidc-provider and saves nothing', async () => {
    const before = await api(t, 'get', '/api/v1/admin/authentication', admin);
    const response = await api(t, 'post', PATH, admin).send({ issuer: local.issuer });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({
      issuer: local.issuer,
      authorizationEndpoint: `${local.issuer}/auth`,
      tokenEndpoint: `${local.issuer}/token`,
      userInfoEndpoint: `${local.issuer}/me`,
      jwksEndpoint: `${local.issuer}/jwks`,
      endSessionEndpoint: `${local.issuer}/session/end`,
      signatureAlgorithms: expect.arrayContaining(['RS256', 'HS256']),
      tokenEndpointAuthMethods: ['client_secret_post', 'client_secret_basic'],
      authorizationResponseIssParameterSupported: true,
    });
    const after = await api(t, 'get', '/api/v1/admin/authentication', admin);
    expect(after.body).toEqual(before.body);
  });

  it('keeps only registered algorithms and supported auth methods', async () => {
    const response = await api(t, 'post', PATH, admin).send({ issuer: crafted.issuer });
    expect(response.status).toBe(200);
    expect(response.body.signatureAlgorithms).toEqual(['RS256', 'HS256']);
    expect(response.body.tokenEndpointAuthMethods).toEqual(['client_secret_basic']);
    expect(response.body.authorizationResponseIssParameterSupported).toBe(false);
  });

  it('fails with discovery_issuer_mismatch when the document names another issuer', async () => {
    crafted.discoveryIssuer = 'https://evil.example';
    try {
      const response = await api(t, 'post', PATH, admin).send({ issuer: crafted.issuer });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('discovery_issuer_mismatch');
    } finally {
      crafted.discoveryIssuer = undefined;
    }
  });

  it('fails with discovery_failed for a missing document, an http non-loopback issuer or a dead host', async () => {
    const missing = await api(t, 'post', PATH, admin).send({ issuer: `${crafted.issuer}/nope` });
    expect(missing.body.error).toBe('discovery_failed');
    const plain = await api(t, 'post', PATH, admin).send({ issuer: 'http://idp.example.com' });
    expect(plain.status).toBe(400);
    expect(plain.body.error).toBe('discovery_failed');
    const dead = await api(t, 'post', PATH, admin).send({ issuer: 'http://127.0.0.1:1' });
    expect(dead.body.error).toBe('discovery_failed');
  });

  it('answers validation_failed without an issuer and 403 for a non-admin', async () => {
    const invalid = await api(t, 'post', PATH, admin).send({});
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe('validation_failed');
    const user = await createUser(t, admin);
    const login = await api(t, 'post', '/api/v1/auth/login').send({
      username: user.userName,
      password: user.password,
    });
    const forbidden = await api(t, 'post', PATH, login.body.token).send({ issuer: local.issuer });
    expect(forbidden.status).toBe(403);
  });
});
