import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, authEntities, authMigrations } from 'nest-oidc-auth';
import { HostAuditGuard } from './host-audit.guard.js';
import { HostController } from './host.controller.js';
import { SignInLog } from './sign-in.log.js';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      entities: [...authEntities],
      migrations: [...authMigrations],
      migrationsTableName: 'esm_migrations',
      migrationsRun: true,
    }),
    AuthModule.forRoot({
      siteUrl: process.env.AUTH_SITE_URL!,
      secretKey: process.env.AUTH_SECRET_KEY!,
      bootstrapAdmin: {
        userName: process.env.AUTH_ADMIN_USERNAME!,
        password: process.env.AUTH_ADMIN_PASSWORD!,
      },
    }),
  ],
  controllers: [HostController],
  providers: [{ provide: APP_GUARD, useClass: HostAuditGuard }, SignInLog],
})
export class AppModule {}
