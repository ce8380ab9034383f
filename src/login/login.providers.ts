import type { Provider, Type } from '@nestjs/common';
import { LoginController } from './login.controller.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { MeController } from './me.controller.js';
import { PasswordLoginService } from './password-login.service.js';

/** Controllers and providers of the login folder, registered by AuthModule. */
export const loginControllers: Type[] = [LoginController, MeController];
export const loginProviders: Provider[] = [PasswordLoginService, LoginThrottleService];
