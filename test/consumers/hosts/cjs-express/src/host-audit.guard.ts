import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';

/** The host's own global guard: it records the signed-in user it sees on `req.user`. */
@Injectable()
export class HostAuditGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context
      .switchToHttp()
      .getRequest<{ user?: { userName: string }; hostGuardSaw?: string | null }>();
    request.hostGuardSaw = request.user?.userName ?? null;
    return true;
  }
}
