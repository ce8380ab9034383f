import type { Provider, Type } from '@nestjs/common';
import { LogoutTokenVerifier } from '../oidc/logout-token.verifier.js';
import { SessionCache } from '../sessions/session-cache.js';
import { SessionChangeListener } from '../sessions/session-change.listener.js';
import { BackchannelLogoutController } from './backchannel-logout.controller.js';
import { BackchannelLogoutService } from './backchannel-logout.service.js';
import { LogoutJtiService } from './logout-jti.service.js';
import { LogoutController } from './logout.controller.js';
import { LogoutService } from './logout.service.js';

/** Controllers and providers of the logout folder, registered by AuthModule. */
export const logoutControllers: Type[] = [LogoutController, BackchannelLogoutController];
export const logoutProviders: Provider[] = [
  // The session cache and its cross-instance invalidation live in sessions/, registered here.
  SessionCache,
  SessionChangeListener,
  LogoutService,
  LogoutTokenVerifier,
  LogoutJtiService,
  BackchannelLogoutService,
];
