import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:is-public';

/** Opts a route or controller out of the global session guard. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
