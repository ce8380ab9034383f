import type { Provider, Type } from '@nestjs/common';
import { IdTokenVerifier } from './id-token.verifier.js';
import { IdpHttpClient } from './idp-http.client.js';
import { IdpKeysService } from './idp-keys.service.js';
import { LoginStateStore } from './login-state.store.js';
import { OidcController } from './oidc.controller.js';
import { OidcLoginGuard } from './oidc-login.guard.js';
import { OidcPassportStrategy } from './oidc-passport.strategy.js';
import { OidcDiscoveryController } from './oidc-discovery.controller.js';
import { OidcDiscoveryService } from './oidc-discovery.service.js';
import { OidcLoginService } from './oidc-login.service.js';
import { OidcProvisioningService } from './oidc-provisioning.service.js';
import { OidcStrategyCache } from './oidc-strategy.cache.js';
import { OidcTokenClient } from './oidc-token.client.js';

/** Controllers and providers of the oidc folder, registered by AuthModule. */
export const oidcControllers: Type[] = [OidcController, OidcDiscoveryController];
export const oidcProviders: Provider[] = [
  IdpHttpClient,
  IdpKeysService,
  IdTokenVerifier,
  LoginStateStore,
  OidcTokenClient,
  OidcStrategyCache,
  OidcProvisioningService,
  OidcLoginService,
  OidcPassportStrategy,
  OidcLoginGuard,
  OidcDiscoveryService,
];
