import { Controller, Get, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiFoundResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '../common/openapi.js';
import { type HttpRequest, type HttpResponse, redirect, setHeader } from '../common/http.js';
import { Public } from '../sessions/public.decorator.js';
import { OidcCallbackFilter } from './oidc-callback.filter.js';
import { OIDC_STEP_PROPERTY, OidcCallbackStep, OidcLoginGuard } from './oidc-login.guard.js';
import type { OidcLoginStep } from './oidc-passport.strategy.js';

type OidcStepRequest = HttpRequest & { [OIDC_STEP_PROPERTY]?: OidcLoginStep };

/** Neither the IdP URL (with state) nor the callback (with code) may be cached or leak via Referer. */
function protect(response: HttpResponse): void {
  setHeader(response, 'Cache-Control', 'no-store');
  setHeader(response, 'Referrer-Policy', 'no-referrer');
}

/** Both routes run the `auth-oidc` Passport strategy; the guard leaves the next URL on the request. */
@ApiTags('auth')
@Controller('auth/oidc')
@UseGuards(OidcLoginGuard)
export class OidcController {
  @Public()
  @Get('login')
  @UseFilters(new OidcCallbackFilter('start'))
  @ApiOperation({ summary: 'Starts OIDC sign-in: 302 to the IdP authorization endpoint.' })
  @ApiQuery({ name: 'returnTo', required: false, description: 'Local path to return to.' })
  @ApiFoundResponse({ description: 'Redirect to the IdP.' })
  @ApiForbiddenResponse({ description: '`oidc_not_enabled`' })
  start(@Req() request: OidcStepRequest, @Res() response: HttpResponse): void {
    protect(response);
    redirect(response, request[OIDC_STEP_PROPERTY]!.redirectTo);
  }

  @Public()
  @Get('callback')
  @OidcCallbackStep()
  @UseFilters(new OidcCallbackFilter('callback'))
  @ApiOperation({ summary: 'OIDC redirect URI: signs the user in and 302s to returnTo.' })
  @ApiFoundResponse({ description: 'To returnTo on success, to /login?error=<code> on failure.' })
  @ApiUnauthorizedResponse({ description: '`{error, message}` for JSON-only clients.' })
  callback(@Req() request: OidcStepRequest, @Res() response: HttpResponse): void {
    protect(response);
    redirect(response, request[OIDC_STEP_PROPERTY]!.redirectTo);
  }

  @Public()
  @Get(':providerId/login')
  @UseFilters(new OidcCallbackFilter('start'))
  @ApiOperation({
    summary: 'Starts sign-in through one provider: 302 to its authorization endpoint.',
  })
  @ApiParam({ name: 'providerId', description: 'Provider id (`default` is /auth/oidc/login).' })
  @ApiQuery({ name: 'returnTo', required: false, description: 'Local path to return to.' })
  @ApiFoundResponse({ description: 'Redirect to the IdP.' })
  @ApiForbiddenResponse({ description: '`oidc_not_enabled` (password mode or provider disabled)' })
  @ApiNotFoundResponse({ description: '`not_found`: no such provider' })
  startAt(@Req() request: OidcStepRequest, @Res() response: HttpResponse): void {
    protect(response);
    redirect(response, request[OIDC_STEP_PROPERTY]!.redirectTo);
  }

  @Public()
  @Get(':providerId/callback')
  @OidcCallbackStep()
  @UseFilters(new OidcCallbackFilter('callback'))
  @ApiOperation({
    summary: 'Redirect URI of one provider: signs the user in and 302s to returnTo.',
  })
  @ApiParam({ name: 'providerId', description: 'Provider id (`default` is /auth/oidc/callback).' })
  @ApiFoundResponse({ description: 'To returnTo on success, to /login?error=<code> on failure.' })
  @ApiUnauthorizedResponse({ description: '`{error, message}` for JSON-only clients.' })
  callbackAt(@Req() request: OidcStepRequest, @Res() response: HttpResponse): void {
    protect(response);
    redirect(response, request[OIDC_STEP_PROPERTY]!.redirectTo);
  }
}
