import { BadRequestException, Controller, Get, Req, UseGuards } from '@nestjs/common';
import { AdminGuard, type AuthenticatedUser, CurrentUser, Public } from 'nest-oidc-auth';
import { type SignInEntry, SignInLog } from './sign-in.log';

@Controller('host')
export class HostController {
  constructor(private readonly signIns: SignInLog) {}

  @Get('whoami')
  whoami(
    @CurrentUser() user: AuthenticatedUser,
    @Req() request: { hostGuardSaw?: string | null },
  ): { userName: string; hostGuardSaw: string | null } {
    return { userName: user.userName, hostGuardSaw: request.hostGuardSaw ?? null };
  }

  @Public()
  @Get('boom')
  boom(): never {
    throw new BadRequestException({ code: 'MY_APP_CODE' });
  }

  @UseGuards(AdminGuard)
  @Get('sign-ins')
  list(): SignInEntry[] {
    return this.signIns.entries;
  }
}
