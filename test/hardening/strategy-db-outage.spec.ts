import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/common/auth-error.js';
import { isDatabaseUnavailable } from '../../src/common/auth-error.filter.js';
import { OidcStrategy } from '../../src/oidc/oidc.strategy.js';
import type { AuthSettings } from '../../src/settings/auth-settings.types.js';

const settings = {
  method: 'oidc',
  version: 1,
  oidc: {
    issuer: 'http://127.0.0.1:9/',
    authorizationEndpoint: 'http://127.0.0.1:9/auth',
    tokenEndpoint: 'http://127.0.0.1:9/token',
    userInfoEndpoint: null,
    clientId: 'c',
    clientSecret: 's',
    scopes: ['profile'],
  },
} as unknown as AuthSettings;

describe('OIDC callback during a database outage', () => {
  // Found by the Postgres restart suite: a failed state lookup was reported as id_token_malformed.
  it('reports a database failure in the state lookup as 503 service_unavailable', async () => {
    const strategy = new OidcStrategy(settings, 'http://127.0.0.1:1/cb');
    const request = { query: { code: 'c', state: 's' }, headers: {} } as unknown as Request;
    const outage = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const failure = await strategy
      .callback(request, {
        consumeState: () => Promise.reject(outage),
        exchange: () => Promise.reject(new Error('not reached')),
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(AuthError);
    expect((failure as AuthError).code).toBe('service_unavailable');
    expect((failure as AuthError).getStatus()).toBe(503);
  });

  it('classes every connection-level database failure as unavailable, and nothing else', () => {
    for (const error of [
      { code: '08P01' },
      { code: '57P01' },
      { driverError: { code: '08006' } },
      new Error('Query runner already released. Cannot run queries anymore.'),
      // TypeORM 1.x, when a restart ends the connection of a running transaction.
      new Error(
        'Database connection provided by a query runner was already released, cannot continue to use its querying methods anymore.',
      ),
      new Error('Client was closed and is not queryable'),
      new Error('timeout exceeded when trying to connect'),
    ])
      expect(isDatabaseUnavailable(error), JSON.stringify(error)).toBe(true);
    for (const error of [{ code: '23505' }, new Error('boom'), { code: '42P01' }])
      expect(isDatabaseUnavailable(error), JSON.stringify(error)).toBe(false);
  });
});
