import type { Provider, Type } from '@nestjs/common';

/** Controllers and providers of the login folder, registered by AuthModule. */
export const loginControllers: Type[] = [];
export const loginProviders: Provider[] = [];
