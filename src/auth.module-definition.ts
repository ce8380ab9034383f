import { ConfigurableModuleBuilder, Inject } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AuthModuleOptions } from './auth-options.js';

/** Options that shape the module itself, so `forRootAsync` takes them beside `useFactory`. */
export interface AuthModuleExtras {
  /** Register the module globally. Default false. */
  isGlobal?: boolean;
  /** Install `SessionGuard` as a global guard (see `AuthModuleOptions.globalGuard`). Default true. */
  globalGuard?: boolean;
}

/** Alias of `SessionGuard` (kept here so this file imports no guard). */
export const AUTH_SESSION_GUARD = Symbol('auth:session-guard');

/** Whether the module installed its global guard (true unless `globalGuard: false`). */
export const GLOBAL_GUARD_ENABLED = Symbol('auth:global-guard');

export const {
  ConfigurableModuleClass: AuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<AuthModuleExtras>({ isGlobal: false, globalGuard: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [
      ...(definition.providers ?? []),
      { provide: GLOBAL_GUARD_ENABLED, useValue: extras.globalGuard !== false },
      ...(extras.globalGuard === false
        ? []
        : [{ provide: APP_GUARD, useExisting: AUTH_SESSION_GUARD }]),
    ],
  }))
  .build();

/** Token of the resolved options (defaults filled in, key decoded). */
export const RESOLVED_AUTH_OPTIONS = Symbol('auth:resolved-options');

/** Injects the resolved options (`ResolvedAuthOptions`). */
export const InjectAuthOptions = (): ParameterDecorator => Inject(RESOLVED_AUTH_OPTIONS);
