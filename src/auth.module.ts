import { Inject, Module, type NestModule, type Type, UseFilters } from '@nestjs/common';
import { APP_FILTER, ApplicationConfig } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  AuthConfigurableModule,
  AUTH_MODULE_OPTIONS,
  AUTH_SESSION_GUARD,
  GLOBAL_GUARD_ENABLED,
  RESOLVED_AUTH_OPTIONS,
} from './auth.module-definition.js';
import { type AuthModuleOptions, resolveAuthOptions } from './auth-options.js';
import { AuthLogService } from './auth-log/auth-log.service.js';
import { AuthLogRetentionService } from './auth-log/auth-log-retention.service.js';
import { adminControllers, adminProviders } from './admin/admin.providers.js';
import { AuthErrorFilter } from './common/auth-error.filter.js';
import { BodyParseErrorFilter } from './common/body-parse-error.filter.js';
import { authEntities } from './database/auth-entities.js';
import { SchemaCheck } from './database/schema-check.js';
import { AuthEvents } from './events/auth-events.js';
import { AdminBootstrap } from './users/admin-bootstrap.js';
import { loginControllers, loginProviders } from './login/login.providers.js';
import { logoutControllers, logoutProviders } from './logout/logout.providers.js';
import { oidcControllers, oidcProviders } from './oidc/oidc.providers.js';
import { AlgorithmRegistry } from './oidc/algorithm-registry.js';
import { AdminGuard } from './sessions/admin.guard.js';
import { SessionGuard } from './sessions/session.guard.js';
import { SessionStrategy } from './sessions/session.strategy.js';
import { SessionsService } from './sessions/sessions.service.js';
import { SettingsFreshness } from './settings/settings-freshness.js';
import { AuthSettingsService } from './settings/auth-settings.service.js';
import { UsersService } from './users/users.service.js';
import {
  testSignInControllers,
  testSignInProviders,
} from './test-sign-in/test-sign-in.providers.js';
import { providersControllers, providersProviders } from './providers/providers.providers.js';

const controllers: Type[] = [
  ...loginControllers,
  ...oidcControllers,
  ...logoutControllers,
  ...adminControllers,
  ...testSignInControllers,
  ...providersControllers,
];
// The module's error shape applies to its own routes only; a host's exceptions stay its own.
for (const controller of controllers) UseFilters(AuthErrorFilter)(controller);

/**
 * OpenID Connect and password sign-in with run-time settings kept in PostgreSQL.
 * `AuthModule.forRoot({ siteUrl, secretKey })` or `forRootAsync({ useFactory, inject })`;
 * the host registers `authEntities` and `authMigrations` with its TypeORM data source.
 */
@Module({
  imports: [TypeOrmModule.forFeature(authEntities)],
  controllers,
  providers: [
    SchemaCheck, // first: its start-up check runs before the other providers' hooks
    AuthEvents,
    AdminBootstrap,
    {
      provide: RESOLVED_AUTH_OPTIONS,
      useFactory: (options: AuthModuleOptions) => resolveAuthOptions(options),
      inject: [AUTH_MODULE_OPTIONS],
    },
    AlgorithmRegistry,
    SettingsFreshness,
    AuthSettingsService,
    AuthLogService,
    AuthLogRetentionService,
    SessionsService,
    UsersService,
    SessionGuard,
    SessionStrategy,
    { provide: AUTH_SESSION_GUARD, useExisting: SessionGuard },
    AdminGuard,
    // Catches body-parse errors only (they happen before any controller); nothing else.
    { provide: APP_FILTER, useClass: BodyParseErrorFilter },
    ...loginProviders,
    ...oidcProviders,
    ...logoutProviders,
    ...adminProviders,
    ...testSignInProviders,
    ...providersProviders,
  ],
  exports: [
    RESOLVED_AUTH_OPTIONS,
    AuthEvents,
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
  constructor(
    private readonly config: ApplicationConfig,
    private readonly sessionGuard: SessionGuard,
    @Inject(GLOBAL_GUARD_ENABLED) private readonly globalGuard: boolean,
  ) {
    super();
  }

  /**
   * Runs before the routes are built: moves the session guard ahead of the host's global
   * guards (Nest orders them by module scan, the host's root module first) so they see the user.
   */
  configure(): void {
    if (!this.globalGuard) return;
    const guards = this.config.getGlobalGuards();
    const index = guards.indexOf(this.sessionGuard);
    if (index > 0) {
      guards.splice(index, 1);
      guards.unshift(this.sessionGuard);
    }
  }
}
