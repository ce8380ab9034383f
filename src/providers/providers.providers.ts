import type { Provider, Type } from '@nestjs/common';
import { ProviderSettingsService } from './provider-settings.service.js';
import { ProvidersController } from './providers.controller.js';
import { ProvidersService } from './providers.service.js';

/** Controllers and providers of the providers folder, registered by AuthModule. */
export const providersControllers: Type[] = [ProvidersController];
export const providersProviders: Provider[] = [ProviderSettingsService, ProvidersService];
