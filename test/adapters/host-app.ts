import {
  BadRequestException,
  type CanActivate,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  Get,
  Injectable,
  Module,
  Req,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { type AuthRequest, Public } from '../../src/index.js';

type HostRequest = AuthRequest & { seenByHostGuard?: string | null };

/** A host's own global guard, listed in its root module: it reads `req.user`. */
@Injectable()
export class HostGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<HostRequest>();
    request.seenByHostGuard = request.user?.userName ?? null;
    return true;
  }
}

/** A host's own routes: its exceptions must come back exactly as it threw them. */
@Controller('host')
export class HostController {
  @Public()
  @Get('fail')
  fail(): never {
    throw new BadRequestException({ code: 'MY_APP_CODE', detail: 'the host said no' });
  }

  @Get('seen')
  seen(@Req() request: HostRequest): { seenByHostGuard: string | null | undefined } {
    return { seenByHostGuard: request.seenByHostGuard };
  }
}

@Module({})
export class HostRootModule {}

/** Wraps the demo module as a host app would: its own global guard and controller first. */
export function hostRoot(demo: DynamicModule): DynamicModule {
  return {
    module: HostRootModule,
    imports: [demo],
    controllers: [HostController],
    providers: [{ provide: APP_GUARD, useClass: HostGuard }],
  };
}
