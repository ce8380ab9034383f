import type { Provider, Type } from '@nestjs/common';

/** Controllers and providers of the admin folder, registered by AuthModule. */
export const adminControllers: Type[] = [];
export const adminProviders: Provider[] = [];
