import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('demo app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the public hello', async () => {
    const response = await request(t.app.getHttpServer()).get('/api/v1/hello').expect(200);
    expect(response.body).toEqual({ hello: 'world' });
  });

  it('refuses hello/me without a session', async () => {
    const response = await request(t.app.getHttpServer()).get('/api/v1/hello/me').expect(401);
    expect(response.body.error).toBe('unauthenticated');
  });

  it('refuses a made-up bearer token', async () => {
    const response = await request(t.app.getHttpServer())
      .get('/api/v1/hello/me')
      .set('Authorization', 'Bearer not-a-real-token')
      .expect(401);
    expect(response.body.error).toBe('unauthenticated');
  });
});
