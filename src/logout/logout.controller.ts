import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '../common/openapi.js';
import type { Response } from 'express';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError } from '../common/auth-error.js';
import { type AuthRequest, clientAddress } from '../common/request-context.js';
import { clearSessionCookie } from '../sessions/session-cookie.js';
import { LogoutResponseDto } from './logout-response.dto.js';
import { LogoutService } from './logout.service.js';

@ApiTags('auth')
@ApiCookieAuth()
@ApiBearerAuth()
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
    @Res({ passthrough: true }) response: Response,
  ): Promise<LogoutResponseDto> {
    if (!request.auth) throw new AuthError('unauthenticated', 'Sign in first.');
    const result = await this.logoutService.logout(request.auth, clientAddress(request));
    clearSessionCookie(response, this.options);
    // The redirect URL carries the ID token: never cached.
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Referrer-Policy', 'no-referrer');
    return result;
  }
}
