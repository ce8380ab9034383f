import { ConfigurableModuleBuilder, Inject } from '@nestjs/common';
import type { AuthModuleOptions } from './auth-options.js';

export const {
  ConfigurableModuleClass: AuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** Token of the resolved options (defaults filled in, key decoded). */
export const RESOLVED_AUTH_OPTIONS = Symbol('auth:resolved-options');

/** Injects the resolved options (`ResolvedAuthOptions`). */
export const InjectAuthOptions = (): ParameterDecorator => Inject(RESOLVED_AUTH_OPTIONS);
