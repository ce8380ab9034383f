// The module inside a host app that is not the demo: start-up checks, the first admin, the CLI
// migrations story, host entities related to users, and the sign-in / user-created hooks.
import { Controller, Get, type INestApplication, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import {
  Column,
  Entity,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  type Repository,
} from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from '../../src/bin/create-admin.command.js';
import { migrate } from '../../src/bin/migrate.command.js';
import { startLocalIdp, type LocalIdp } from '../../src/demo/local-idp.js';
import {
  AuthEvents,
  type AuthModuleOptions,
  AuthModule,
  type AuthSignInEvent,
  type AuthUserCreatedEvent,
  authEntities,
  authMigrations,
  configureAuthHttp,
  Public,
  UserEntity,
} from '../../src/index.js';
import { api, loginAsAdmin, putSettings } from '../support/auth-helpers.js';
import { BrowserSession, oidcSignIn } from '../support/browser-session.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, rawClient } from '../support/test-database.js';

@Entity({ name: 'host_note' })
class NoteEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  text: string;

  @ManyToOne(() => UserEntity, { eager: false, nullable: false })
  author: Relation<UserEntity>;
}

@Controller('notes')
class NotesController {
  constructor(@InjectRepository(NoteEntity) private readonly notes: Repository<NoteEntity>) {}

  @Public()
  @Get(':id')
  note(@Param('id') id: string): Promise<NoteEntity | null> {
    return this.notes.findOne({ where: { id }, relations: { author: true } });
  }
}

interface HostOptions {
  databaseUrl: string;
  entities?: unknown[];
  migrations?: unknown[];
  migrationsTableName?: string;
  migrationsRun?: boolean;
  auth?: Partial<AuthModuleOptions>;
}

function hostModule(options: HostOptions): new () => unknown {
  @Module({
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: options.databaseUrl,
        entities: (options.entities ?? [...authEntities, NoteEntity]) as never,
        migrations: (options.migrations ?? authMigrations) as never,
        migrationsTableName: options.migrationsTableName,
        migrationsRun: options.migrationsRun ?? true,
        retryAttempts: 0,
      }),
      TypeOrmModule.forFeature([NoteEntity]),
      AuthModule.forRoot({
        siteUrl: 'http://127.0.0.1:3000',
        secretKey: randomBytes(32),
        ...options.auth,
      }),
    ],
    controllers: [NotesController],
  })
  class HostModule {}
  return HostModule;
}

const opened: INestApplication[] = [];

async function startHost(options: HostOptions): Promise<INestApplication<App>> {
  const app = await NestFactory.create<INestApplication<App>>(hostModule(options), {
    logger: false,
    abortOnError: false,
    bodyParser: false,
  });
  opened.push(app);
  configureAuthHttp(app);
  await app.init();
  return app;
}

afterEach(async () => {
  for (const app of opened.splice(0)) await app.close().catch(() => undefined);
});

describe('start-up checks of a host app', () => {
  it('start-up fails naming authEntities when the host did not register them', async () => {
    const databaseUrl = await createTestDatabase('host');
    await expect(
      startHost({ databaseUrl, entities: [], migrations: [], migrationsRun: false }),
    ).rejects.toThrow(/lacks the entities UserEntity, .*authEntities/s);
  });

  it('start-up fails naming authMigrations and the migrate command when migrations are pending', async () => {
    const databaseUrl = await createTestDatabase('host');
    const failure = await startHost({
      databaseUrl,
      migrations: [],
      migrationsRun: false,
      migrationsTableName: 'host_migrations',
    }).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain('authMigrations');
    expect((failure as Error).message).toContain('"host_migrations"');
    expect((failure as Error).message).toContain(
      'npx nest-oidc-auth migrate --migrations-table host_migrations',
    );
  });

  it('the CLI migrate command followed by migrationsRun in the same table starts cleanly', async () => {
    const databaseUrl = await createTestDatabase('host');
    const applied = await migrate({ databaseUrl });
    expect(applied).toEqual(authMigrations.map((migration) => new migration().name));
    // TypeORM's default table on both sides: no "relation already exists" on the second run.
    const app = await startHost({ databaseUrl });
    const client = await rawClient(databaseUrl);
    try {
      const { rows } = await client.query<{ count: string }>(
        'SELECT count(*) AS count FROM migrations',
      );
      expect(Number(rows[0].count)).toBe(authMigrations.length);
    } finally {
      await client.end();
    }
    await app.close();
    expect(await migrate({ databaseUrl })).toEqual([]);
  });

  it('schemaCheck: false lets a host start without the module migrations', async () => {
    const databaseUrl = await createTestDatabase('host');
    const app = await startHost({
      databaseUrl,
      migrations: [],
      migrationsRun: false,
      auth: { schemaCheck: false },
    });
    expect(app).toBeTruthy();
  });
});

describe('first admin of a host app', () => {
  it('bootstrapAdmin creates the admin, who can sign in', async () => {
    const databaseUrl = await createTestDatabase('host');
    const app = await startHost({
      databaseUrl,
      auth: { bootstrapAdmin: { userName: 'Root', password: 'first-admin-pw' } },
    });
    const login = await request(app.getHttpServer())
      .post('/api/v1/auth/login')
      .send({ username: 'root', password: 'first-admin-pw' });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect(login.body.user).toMatchObject({ userName: 'root', isAdmin: true });
  });

  it('bootstrapAdmin never changes an existing user (password and admin flag kept)', async () => {
    const databaseUrl = await createTestDatabase('host');
    await migrate({ databaseUrl });
    const app1 = await startHost({
      databaseUrl,
      auth: { bootstrapAdmin: { userName: 'root', password: 'first-admin-pw' } },
    });
    await app1.close();
    const app2 = await startHost({
      databaseUrl,
      auth: { bootstrapAdmin: { userName: 'root', password: 'another-password' } },
    });
    const server = app2.getHttpServer();
    const refused = await request(server)
      .post('/api/v1/auth/login')
      .send({ username: 'root', password: 'another-password' });
    expect(refused.status).toBe(401);
    const ok = await request(server)
      .post('/api/v1/auth/login')
      .send({ username: 'root', password: 'first-admin-pw' });
    expect(ok.status).toBe(200);
  });

  it('bootstrapAdmin with a short password is refused at start-up, naming the option', async () => {
    const databaseUrl = await createTestDatabase('host');
    await expect(
      startHost({ databaseUrl, auth: { bootstrapAdmin: { userName: 'root', password: 'short' } } }),
    ).rejects.toThrow(/bootstrapAdmin\.password/);
  });

  it('the create-admin command creates an admin once and leaves an existing user unchanged', async () => {
    const databaseUrl = await createTestDatabase('host');
    await expect(
      createAdmin({ databaseUrl, userName: 'ops', password: 'ops-password-1' }),
    ).rejects.toThrow(/migrate/);
    await migrate({ databaseUrl, migrationsTable: 'host_migrations' });
    const first = await createAdmin({
      databaseUrl,
      migrationsTable: 'host_migrations',
      userName: 'Ops',
      password: 'ops-password-1',
    });
    expect(first).toEqual({ userName: 'ops', outcome: 'created' });
    const again = await createAdmin({
      databaseUrl,
      migrationsTable: 'host_migrations',
      userName: 'ops',
      password: 'ops-password-2',
    });
    expect(again.outcome).toBe('exists');
    const app = await startHost({ databaseUrl, migrationsTableName: 'host_migrations' });
    const login = await request(app.getHttpServer())
      .post('/api/v1/auth/login')
      .send({ username: 'ops', password: 'ops-password-1' });
    expect(login.status).toBe(200);
    expect(login.body.user.isAdmin).toBe(true);
  });
});

describe('host data related to users', () => {
  it('a host entity loaded with its UserEntity relation has no passwordHash in its JSON', async () => {
    const databaseUrl = await createTestDatabase('host');
    const app = await startHost({
      databaseUrl,
      auth: { bootstrapAdmin: { userName: 'writer', password: 'writer-password' } },
    });
    const client = await rawClient(databaseUrl);
    let noteId: string;
    try {
      await client.query(
        `CREATE TABLE host_note (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), text text NOT NULL,
           "authorId" uuid NOT NULL REFERENCES auth_user(id))`,
      );
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO host_note (text, "authorId") SELECT 'hello', id FROM auth_user
          WHERE user_name = 'writer' RETURNING id`,
      );
      noteId = rows[0].id;
    } finally {
      await client.end();
    }
    const response = await request(app.getHttpServer()).get(`/api/v1/notes/${noteId}`);
    expect(response.status).toBe(200);
    expect(response.body.author).toMatchObject({ userName: 'writer', isAdmin: true });
    expect(response.text).not.toContain('passwordHash');
    expect(response.text).not.toContain('scrypt');
  });
});

describe('AuthEvents: sign-in and user-created hooks', () => {
  const SECRET = 'local-idp-client-secret-0123456789';
  let t: TestApp;
  let idp: LocalIdp;
  let admin: string;
  const signIns: AuthSignInEvent[] = [];
  const created: AuthUserCreatedEvent[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    idp = await startLocalIdp({
      clients: [
        {
          client_id: 'rp-events',
          client_secret: SECRET,
          redirect_uris: [`${t.baseUrl}/api/v1/auth/oidc/callback`],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      accounts: [
        {
          sub: 'sub-eve',
          password: 'eve-pw',
          claims: { preferred_username: 'eve', email: 'eve@example.test', groups: ['g1'] },
        },
      ],
    });
    const events = t.app.get(AuthEvents);
    events.onSignIn((event) => {
      signIns.push(event);
    });
    events.onUserCreated(async (event) => {
      // A host attaching its own data: awaited before the sign-in answers.
      await new Promise((resolve) => setImmediate(resolve));
      created.push(event);
    });
    events.onSignIn(() => {
      throw new Error('a broken host handler');
    });
    admin = await loginAsAdmin(t);
  });

  afterAll(async () => {
    await idp?.stop();
    await t?.close();
  });

  it('a password sign-in emits the user, method password, no claims, created false', async () => {
    signIns.length = 0;
    await loginAsAdmin(t);
    expect(signIns).toHaveLength(1);
    expect(signIns[0]).toMatchObject({
      user: { userName: t.adminUserName, isAdmin: true },
      method: 'password',
      claims: null,
      created: false,
    });
    expect(JSON.stringify(signIns[0])).not.toContain('scrypt');
  });

  it('a user created by an admin emits user-created with source admin', async () => {
    created.length = 0;
    const response = await api(t, 'post', '/api/v1/admin/users', admin).send({
      userName: 'carol',
      password: 'carol-password',
    });
    expect(response.status).toBe(201);
    expect(created).toEqual([
      { user: expect.objectContaining({ userName: 'carol' }), source: 'admin', claims: null },
    ]);
  });

  it('a first OIDC sign-in emits user-created then sign-in with the verified claims', async () => {
    await putSettings(t, admin, {
      method: 'oidc',
      oidc: {
        clientId: 'rp-events',
        clientSecret: SECRET,
        issuer: idp.issuer,
        authorizationEndpoint: `${idp.issuer}/auth`,
        tokenEndpoint: `${idp.issuer}/token`,
        jwksEndpoint: `${idp.issuer}/jwks`,
        usernameClaim: 'preferred_username',
        createUser: true,
        fallback: true,
      },
    });
    signIns.length = 0;
    created.length = 0;
    const first = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: 'sub-eve',
      password: 'eve-pw',
    });
    expect(first.callback.status, first.callback.body).toBe(302);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ user: { userName: 'eve' }, source: 'oidc' });
    expect(created[0].claims).toMatchObject({ sub: 'sub-eve', iss: idp.issuer });
    expect(signIns).toHaveLength(1);
    expect(signIns[0]).toMatchObject({ method: 'oidc', created: true, user: { userName: 'eve' } });
    expect(signIns[0].claims).toMatchObject({ sub: 'sub-eve', preferred_username: 'eve' });

    const second = await oidcSignIn(new BrowserSession(), t.baseUrl, {
      userName: 'sub-eve',
      password: 'eve-pw',
    });
    expect(second.callback.status).toBe(302);
    expect(created).toHaveLength(1);
    expect(signIns.map((event) => event.created)).toEqual([true, false]);
    expect(t.logs.text()).toContain('a broken host handler');
  });
});
