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
  UseGuards,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { type AuthRequest, Public, SESSION_STRATEGY, SessionGuard } from '../../src/index.js';

/** A host's own Passport strategy (an API key header), composed with the module's session. */
class ApiKeyStrategyBase extends passport.Strategy {
  constructor(
    private readonly verify: (key: string, done: (e: Error | null, u?: unknown) => void) => void,
  ) {
    super();
  }

  override authenticate(request: { headers: Record<string, unknown> }): void {
    const key = request.headers['x-host-key'];
    if (typeof key !== 'string') return this.fail(401);
    this.verify(key, (error, user) =>
      error ? this.error(error) : user ? this.success(user) : this.fail(401),
    );
  }
}

export const HOST_KEY = 'host-key-0123456789';

@Injectable()
export class ApiKeyStrategy extends PassportStrategy(ApiKeyStrategyBase, 'host-key') {
  validate(key: string): { userName: string } | false {
    return key === HOST_KEY ? { userName: 'api-client' } : false;
  }
}

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

  // Either the module's session or the host's own strategy; @Public keeps the global guard out.
  @Public()
  @UseGuards(AuthGuard([SESSION_STRATEGY, 'host-key']))
  @Get('composed')
  composed(@Req() request: HostRequest): { userName: string | undefined; viaSession: boolean } {
    return { userName: request.user?.userName, viaSession: request.auth !== undefined };
  }

  // Guarded explicitly: what a host does once it turned the global guard off.
  @UseGuards(SessionGuard)
  @Get('explicit')
  explicit(@Req() request: HostRequest): { userName: string | undefined } {
    return { userName: request.user?.userName };
  }

  // No decorator at all: open when the global guard is off, guarded when it is on.
  @Get('plain')
  plain(): { plain: true } {
    return { plain: true };
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
    providers: [{ provide: APP_GUARD, useClass: HostGuard }, ApiKeyStrategy],
  };
}
