import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, loginAsAdmin } from '../support/auth-helpers.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('request bodies', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await loginAsAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('malformed JSON answers 400 invalid_json', async () => {
    const response = await api(t, 'post', '/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username": "admin", ')
      .expect(400);
    expect(response.body).toEqual({ error: 'invalid_json', message: expect.any(String) });
  });

  it('malformed JSON on an admin route answers 400 invalid_json', async () => {
    const response = await api(t, 'put', '/api/v1/admin/authentication', admin)
      .set('Content-Type', 'application/json')
      .send('{oops')
      .expect(400);
    expect(response.body.error).toBe('invalid_json');
  });

  it('a body over 64kb answers 413 payload_too_large', async () => {
    const response = await api(t, 'post', '/api/v1/auth/login')
      .send({ username: 'admin', password: 'x'.repeat(70 * 1024) })
      .expect(413);
    expect(response.body.error).toBe('payload_too_large');
  });

  it('a non-JSON content type answers 415 unsupported_media_type', async () => {
    const text = await api(t, 'post', '/api/v1/auth/login')
      .set('Content-Type', 'text/plain')
      .send('username=admin')
      .expect(415);
    expect(text.body.error).toBe('unsupported_media_type');
    const form = await api(t, 'post', '/api/v1/admin/teams', admin)
      .type('form')
      .send({ name: 'x' })
      .expect(415);
    expect(form.body.error).toBe('unsupported_media_type');
  });

  it('a request without a body answers 400 validation_failed', async () => {
    const response = await api(t, 'post', '/api/v1/auth/login').expect(400);
    expect(response.body.error).toBe('validation_failed');
    expect(response.body.fields).toHaveProperty('body');
  });

  it('a JSON array or null body answers 400 validation_failed', async () => {
    for (const body of ['[]', '["a"]', 'null', '"text"', '5']) {
      const response = await api(t, 'post', '/api/v1/auth/login')
        .set('Content-Type', 'application/json')
        .send(body);
      expect(response.status, body).toBe(400);
      expect(['validation_failed', 'invalid_json']).toContain(response.body.error);
    }
  });

  it('an unsupported charset answers a 4xx', async () => {
    const response = await api(t, 'post', '/api/v1/auth/login')
      .set('Content-Type', 'application/json; charset=koi8-r')
      .send('{"username":"a","password":"b"}');
    expect(response.status).toBe(415);
    expect(response.body.error).toBe('unsupported_media_type');
  });

  it('prototype keys in a body are refused, never a 500', async () => {
    const response = await api(t, 'post', '/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":"a","password":"b","__proto__":{"isAdmin":true},"constructor":{"x":1}}')
      .expect(400);
    expect(response.body.error).toBe('validation_failed');
  });

  // An unknown route belongs to the host: Nest's own 404, not reshaped by the module.
  it('an unknown route answers the host framework 404', async () => {
    const response = await api(t, 'get', '/api/v1/admin/nothing-here', admin).expect(404);
    expect(response.body).toMatchObject({ statusCode: 404 });
  });
});
