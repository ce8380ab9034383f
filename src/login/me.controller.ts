import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '../common/openapi.js';
import { CurrentUser } from '../sessions/current-user.decorator.js';
import { SessionGuard } from '../sessions/session.guard.js';
import { UserViewDto } from '../users/user-view.dto.js';
import type { AuthenticatedUser, UserView } from '../users/user.view.js';
import { UsersService } from '../users/users.service.js';

@ApiTags('auth')
@ApiBearerAuth()
@ApiCookieAuth()
// Also when the host turned the global guard off (a no-op after it).
@UseGuards(SessionGuard)
@Controller('auth')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  // User data: never kept by a browser or proxy cache (Back after sign-out must not show it).
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The signed-in user.' })
  @ApiOkResponse({ type: UserViewDto })
  @ApiUnauthorizedResponse({
    description: '`unauthenticated`, `session_expired`, `session_revoked`',
  })
  me(@CurrentUser() user: AuthenticatedUser): Promise<UserView> {
    return this.users.view(user.id);
  }
}
