// A host app that imports the module and nothing else: the bare app's two hello routes (`hello`
// `@Public()`, `hello/me` behind the module's global guard), TypeORM with the module's entities,
// and `AuthModule.forRoot`. No pages, static files or OpenAPI UI (those are the demo's).
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Controller, Get, Req } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DIST } from '../lib/harness.mjs';
import { klass, method, nestApp } from './nest-parts.mjs';

export async function createPeer(config) {
  const { AuthModule, Public, authEntities, authMigrations } = await import(
    resolve(DIST, 'index.js')
  );
  class HelloController {
    hello() {
      return { hello: 'world' };
    }
    me(request) {
      return { hello: request.user.userName };
    }
  }
  method(HelloController, 'hello', Public(), Get());
  Req()(HelloController.prototype, 'me', 0);
  method(HelloController, 'me', Get('me'));
  klass(HelloController, [Controller('hello')]);
  return nestApp({
    controllers: [HelloController],
    imports: [
      TypeOrmModule.forRoot({
        type: 'postgres',
        url: config.databaseUrl,
        entities: authEntities,
        migrations: authMigrations,
        migrationsTableName: 'auth_migrations',
        migrationsRun: true,
        synchronize: false,
      }),
      AuthModule.forRoot({
        siteUrl: `http://127.0.0.1:${config.port}`,
        secretKey: randomBytes(32).toString('hex'),
      }),
    ],
  });
}
