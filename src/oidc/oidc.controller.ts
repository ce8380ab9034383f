import { Controller, Get, Param, Req, Res } from '@nestjs/common';
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
import { TestSignInService } from '../test-sign-in/test-sign-in.service.js';
import { isTestSignInState } from '../test-sign-in/test-sign-in-state.js';
import { AuthError } from '../common/auth-error.js';
import { DEFAULT_PROVIDER_ID, PROVIDER_ID } from '../providers/provider-id.js';

/** A provider id from the path; anything that is not a slug names no provider. */
function providerIdOf(id: string): string {
  if (!PROVIDER_ID.test(id)) throw new AuthError('not_found', 'No such identity provider.');
  return id;
}

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
  constructor(
    private readonly login: OidcLoginService,
    private readonly testSignIn: TestSignInService,
  ) {}

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
  @Get(':providerId/login')
  @ApiOperation({
    summary: 'Starts sign-in through one provider: 302 to its authorization endpoint.',
  })
  @ApiParam({ name: 'providerId', description: 'Provider id (`default` is /auth/oidc/login).' })
  @ApiQuery({ name: 'returnTo', required: false, description: 'Local path to return to.' })
  @ApiFoundResponse({ description: 'Redirect to the IdP.' })
  @ApiForbiddenResponse({ description: '`oidc_not_enabled` (password mode or provider disabled)' })
  @ApiNotFoundResponse({ description: '`not_found`: no such provider' })
  async startAt(
    @Param('providerId') providerId: string,
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
  ): Promise<void> {
    protect(response);
    const url = await this.login.start(request, response, providerIdOf(providerId));
    redirect(response, url);
  }

  @Public()
  @Get('callback')
  @ApiOperation({ summary: 'OIDC redirect URI: signs the user in and 302s to returnTo.' })
  @ApiFoundResponse({ description: 'To returnTo on success, to /login?error=<code> on failure.' })
  @ApiUnauthorizedResponse({ description: '`{error, message}` for JSON-only clients.' })
  async callback(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    protect(response);
    // An admin's test sign-in ends in its report, never in a session.
    if (isTestSignInState(request.query?.state))
      return redirect(response, await this.testSignIn.finish(request));
    return this.finish(request, response, DEFAULT_PROVIDER_ID);
  }

  @Public()
  @Get(':providerId/callback')
  @ApiOperation({
    summary: 'Redirect URI of one provider: signs the user in and 302s to returnTo.',
  })
  @ApiParam({ name: 'providerId', description: 'Provider id (`default` is /auth/oidc/callback).' })
  @ApiFoundResponse({ description: 'To returnTo on success, to /login?error=<code> on failure.' })
  @ApiUnauthorizedResponse({ description: '`{error, message}` for JSON-only clients.' })
  async callbackAt(
    @Param('providerId') providerId: string,
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
  ): Promise<void> {
    protect(response);
    // A slug check only: an unknown provider is refused (and logged) by the login service.
    const id = PROVIDER_ID.test(providerId) ? providerId : 'unknown-provider';
    return this.finish(request, response, id);
  }

  private async finish(
    request: HttpRequest,
    response: HttpResponse,
    providerId: string,
  ): Promise<void> {
    try {
      const returnTo = await this.login.finish(request, response, providerId);
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
