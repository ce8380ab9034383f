// Shared helpers for integration tests: sign in, call the API with a token, create users and teams.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { expect } from 'vitest';
import { within } from './session-polling.js';
import type { TestApp } from './test-app.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A supertest request; with `token`, sent as `Authorization: Bearer`. */
export function api(t: TestApp, method: HttpMethod, path: string, token?: string): request.Test {
  const call = request(t.app.getHttpServer())[method](path);
  return token ? call.set('Authorization', `Bearer ${token}`) : call;
}

/** Signs in with a password and returns the session token (fails the test unless 200). */
export async function loginAs(t: TestApp, userName: string, password: string): Promise<string> {
  const response = await api(t, 'post', '/api/v1/auth/login').send({
    username: userName,
    password,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.token as string;
}

/** Token of the bootstrap admin. */
export function loginAsAdmin(t: TestApp): Promise<string> {
  return loginAs(t, t.adminUserName, t.adminPassword);
}

export interface CreatedUser {
  id: string;
  userName: string;
  password: string;
  isAdmin: boolean;
  isActive: boolean;
  teams: { id: string; name: string }[];
}

export interface CreateUserFields {
  userName?: string;
  password?: string;
  isAdmin?: boolean;
  isActive?: boolean;
  emailAddress?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  teamIds?: string[];
}

/** Creates a user through `POST /admin/users` (random name and password unless given). */
export async function createUser(
  t: TestApp,
  adminToken: string,
  fields: CreateUserFields = {},
): Promise<CreatedUser> {
  const password = fields.password ?? `pw-${randomBytes(9).toString('base64url')}`;
  const userName = fields.userName ?? `user-${randomBytes(4).toString('hex')}`;
  const response = await api(t, 'post', '/api/v1/admin/users', adminToken).send({
    ...fields,
    userName,
    password,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { ...(response.body as Omit<CreatedUser, 'password'>), password };
}

/** Creates a team through `POST /admin/teams`. */
export async function createTeam(
  t: TestApp,
  adminToken: string,
  name = `team-${randomBytes(4).toString('hex')}`,
): Promise<{ id: string; name: string }> {
  const response = await api(t, 'post', '/api/v1/admin/teams', adminToken).send({ name });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; name: string };
}

/** `PUT /admin/authentication`; answers the settings view (fails the test unless 200). */
export async function putSettings(
  t: TestApp,
  adminToken: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await api(t, 'put', '/api/v1/admin/authentication', adminToken).send(body);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as Record<string, unknown>;
}

/** A complete, valid `oidc` settings object pointing at `issuer` (loopback http is allowed). */
export function oidcSettingsFor(
  issuer: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    clientId: 'test-client',
    clientSecret: 'test-client-secret-value',
    issuer,
    authorizationEndpoint: `${issuer}/auth`,
    tokenEndpoint: `${issuer}/token`,
    jwksEndpoint: `${issuer}/jwks`,
    ...overrides,
  };
}

/**
 * Asks `GET /auth/me` until it answers 401 or `withinMs` passes: a change written straight to
 * the database reaches the session cache by NOTIFY, and the product bound for that is 1 s.
 */
export async function expectRefusedWithin(
  t: TestApp,
  token: string,
  withinMs = 1000,
): Promise<string> {
  let error = '';
  const refused = await within(withinMs, async () => {
    const response = await api(t, 'get', '/api/v1/auth/me', token);
    expect([200, 401]).toContain(response.status);
    error = String(response.body.error ?? '');
    return response.status === 401;
  });
  expect(refused, `session still accepted after ${withinMs} ms`).toBe(true);
  return error;
}
