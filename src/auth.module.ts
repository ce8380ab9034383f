import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import cookieParser from 'cookie-parser';
import {
  AuthConfigurableModule,
  AUTH_MODULE_OPTIONS,
  RESOLVED_AUTH_OPTIONS,
} from './auth.module-definition.js';
import { type AuthModuleOptions, resolveAuthOptions } from './auth-options.js';
import { AuthLogService } from './auth-log/auth-log.service.js';
import { AuthLogRetentionService } from './auth-log/auth-log-retention.service.js';
import { adminControllers, adminProviders } from './admin/admin.providers.js';
import { authEntities } from './database/auth-entities.js';
import { loginControllers, loginProviders } from './login/login.providers.js';
import { logoutControllers, logoutProviders } from './logout/logout.providers.js';
import { oidcControllers, oidcProviders } from './oidc/oidc.providers.js';
import { AlgorithmRegistry } from './oidc/algorithm-registry.js';
import { AdminGuard } from './sessions/admin.guard.js';
import { SessionGuard } from './sessions/session.guard.js';
import { SessionsService } from './sessions/sessions.service.js';
import { AuthSettingsService } from './settings/auth-settings.service.js';
import { UsersService } from './users/users.service.js';

/**
 * OpenID Connect and password sign-in with run-time settings kept in PostgreSQL.
 * `AuthModule.forRoot({ siteUrl, secretKey })` or `forRootAsync({ useFactory, inject })`;
 * the host registers `authEntities` and `authMigrations` with its TypeORM data source.
 */
@Module({
  imports: [TypeOrmModule.forFeature(authEntities)],
  controllers: [...loginControllers, ...oidcControllers, ...logoutControllers, ...adminControllers],
  providers: [
    {
      provide: RESOLVED_AUTH_OPTIONS,
      useFactory: (options: AuthModuleOptions) => resolveAuthOptions(options),
      inject: [AUTH_MODULE_OPTIONS],
    },
    AlgorithmRegistry,
    AuthSettingsService,
    AuthLogService,
    AuthLogRetentionService,
    SessionsService,
    UsersService,
    SessionGuard,
    AdminGuard,
    { provide: APP_GUARD, useExisting: SessionGuard },
    ...loginProviders,
    ...oidcProviders,
    ...logoutProviders,
    ...adminProviders,
  ],
  exports: [
    RESOLVED_AUTH_OPTIONS,
    AuthSettingsService,
    UsersService,
    SessionsService,
    SessionGuard,
    AdminGuard,
    AlgorithmRegistry,
    AuthLogService,
  ],
})
export class AuthModule extends AuthConfigurableModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(cookieParser()).forRoutes('*path');
  }
}
