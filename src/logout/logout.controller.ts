import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '../common/openapi.js';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import { type HttpResponse, setHeader } from '../common/http.js';
import { type AuthRequest, clientAddress } from '../common/request-context.js';
import { clearSessionCookie } from '../sessions/session-cookie.js';
import { SessionGuard } from '../sessions/session.guard.js';
import { LogoutResponseDto } from './logout-response.dto.js';
import { LogoutService } from './logout.service.js';

@ApiTags('auth')
@ApiCookieAuth()
@ApiBearerAuth()
// Also when the host turned the global guard off (a no-op after it).
@UseGuards(SessionGuard)
@Controller('auth')
export class LogoutController {
  constructor(
    private readonly logoutService: LogoutService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  // POST only: a GET (link, image, prefetch) must never end a session.
  @Post('logout')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ends the current session; answers where to end the IdP session.' })
  @ApiOkResponse({ type: LogoutResponseDto })
  @ApiUnauthorizedResponse({ description: 'No live session.' })
  async logout(
    @Req() request: AuthRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<LogoutResponseDto> {
    if (!request.auth) throw new AuthError('unauthenticated', 'Sign in first.');
    const result = await this.logoutService.logout(request.auth, clientAddress(request));
    clearSessionCookie(response, this.options);
    // The redirect URL carries the ID token: never cached.
    setHeader(response, 'Cache-Control', 'no-store');
    setHeader(response, 'Referrer-Policy', 'no-referrer');
    return result;
  }
}
