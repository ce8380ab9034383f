import type { Provider, Type } from '@nestjs/common';

/** Controllers and providers of the oidc folder, registered by AuthModule. */
export const oidcControllers: Type[] = [];
export const oidcProviders: Provider[] = [];
