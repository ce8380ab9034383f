import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule, authEntities, authMigrations } from 'nest-oidc-auth';
import { HostAuditGuard } from './host-audit.guard';
import { HostController } from './host.controller';
import { SignInLog } from './sign-in.log';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'postgres',
      url: process.env.DATABASE_URL,
      entities: [...authEntities],
      migrations: [...authMigrations],
      migrationsTableName: 'app_migrations', // the same name for `npx nest-oidc-auth migrate`
      migrationsRun: false, // run before start: npx nest-oidc-auth migrate --migrations-table app_migrations
    }),
    AuthModule.forRoot({
      siteUrl: process.env.AUTH_SITE_URL!,
      secretKey: process.env.AUTH_SECRET_KEY!,
    }),
  ],
  controllers: [HostController],
  providers: [{ provide: APP_GUARD, useClass: HostAuditGuard }, SignInLog],
})
export class AppModule {}
