import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, authEntities, authMigrations } from '../index.js';
import { HelloController } from './hello.controller.js';
import { PagesController } from './pages.controller.js';

export interface DemoAppOptions {
  databaseUrl: string;
  siteUrl: string;
  secretKey: string;
  /** Extra `AuthModule` options (tests and benchmarks). */
  auth?: Partial<Parameters<typeof AuthModule.forRoot>[0]>;
  /** Connection pool size. Default 10. */
  poolSize?: number;
}

/** The demo host app: imports the module exactly as a user's app would. */
@Module({})
export class DemoAppModule {
  static register(options: DemoAppOptions): DynamicModule {
    return {
      module: DemoAppModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.databaseUrl,
          entities: authEntities,
          migrations: authMigrations,
          migrationsTableName: 'auth_migrations',
          migrationsRun: true,
          uuidExtension: 'pgcrypto',
          synchronize: false,
          extra: { max: options.poolSize ?? 10 },
        }),
        AuthModule.forRoot({
          siteUrl: options.siteUrl,
          secretKey: options.secretKey,
          ...options.auth,
        }),
      ],
      controllers: [HelloController, PagesController],
    };
  }
}
