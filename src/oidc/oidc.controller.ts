import { Controller, Get, Req, Res } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiFoundResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '../common/openapi.js';
import { toAuthError } from '../common/auth-error.filter.js';
import {
  headerValue,
  type HttpRequest,
  type HttpResponse,
  redirect,
  sendJson,
  setHeader,
} from '../common/http.js';
import { Public } from '../sessions/public.decorator.js';
import { OidcLoginService } from './oidc-login.service.js';

/** Neither the IdP URL (with state) nor the callback (with code) may be cached or leak via Referer. */
function protect(response: HttpResponse): void {
  setHeader(response, 'Cache-Control', 'no-store');
  setHeader(response, 'Referrer-Policy', 'no-referrer');
}

/** JSON-only clients get 401 JSON; browsers get a redirect to the login page. */
function wantsJson(request: HttpRequest): boolean {
  const accept = (headerValue(request, 'accept') ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
}

@ApiTags('auth')
@Controller('auth/oidc')
export class OidcController {
  constructor(private readonly login: OidcLoginService) {}

  @Public()
  @Get('login')
  @ApiOperation({ summary: 'Starts OIDC sign-in: 302 to the IdP authorization endpoint.' })
  @ApiQuery({ name: 'returnTo', required: false, description: 'Local path to return to.' })
  @ApiFoundResponse({ description: 'Redirect to the IdP.' })
  @ApiForbiddenResponse({ description: '`oidc_not_enabled`' })
  async start(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    protect(response);
    const url = await this.login.start(request, response);
    redirect(response, url);
  }

  @Public()
  @Get('callback')
  @ApiOperation({ summary: 'OIDC redirect URI: signs the user in and 302s to returnTo.' })
  @ApiFoundResponse({ description: 'To returnTo on success, to /login?error=<code> on failure.' })
  @ApiUnauthorizedResponse({ description: '`{error, message}` for JSON-only clients.' })
  async callback(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    protect(response);
    try {
      const returnTo = await this.login.finish(request, response);
      redirect(response, returnTo);
    } catch (thrown) {
      const error = toAuthError(thrown);
      if (wantsJson(request)) {
        sendJson(response, error.getStatus(), { error: error.code, message: error.message });
        return;
      }
      redirect(response, `/login?error=${encodeURIComponent(error.code)}`);
    }
  }
}
