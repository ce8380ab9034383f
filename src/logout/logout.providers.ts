import type { Provider, Type } from '@nestjs/common';

/** Controllers and providers of the logout folder, registered by AuthModule. */
export const logoutControllers: Type[] = [];
export const logoutProviders: Provider[] = [];
