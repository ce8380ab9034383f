import {
  Body,
  Controller,
  Get,
  HttpCode,
  Post,
  Req,
  Res,
  UseInterceptors,
  UsePipes,
} from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiForbiddenResponse,
} from '../common/openapi.js';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { clientAddress, type HttpRequest, type HttpResponse, setHeader } from '../common/http.js';
import { JsonBodyInterceptor } from '../common/json-body.interceptor.js';
import { AuthValidationPipe } from '../common/validation.pipe.js';
import { Public } from '../sessions/public.decorator.js';
import { setSessionCookie } from '../sessions/session-cookie.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import { deviceCookieOf, setDeviceCookie } from './device-cookie.js';
import { AuthMethodsDto, LoginDto, LoginResponseDto } from './login.dto.js';
import { loginMethodsOf } from './login-methods.js';
import { PasswordLoginService, TooManyAttemptsError } from './password-login.service.js';
import { ProviderSettingsService } from '../providers/provider-settings.service.js';
import { providerLoginUrl } from '../providers/provider-id.js';

@ApiTags('auth')
@Controller('auth')
@UsePipes(AuthValidationPipe)
@UseInterceptors(JsonBodyInterceptor)
export class LoginController {
  constructor(
    private readonly passwordLogin: PasswordLoginService,
    private readonly settings: AuthSettingsService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
    private readonly providers: ProviderSettingsService,
  ) {}

  @Public()
  @Get('methods')
  @ApiOperation({ summary: 'Which sign-in methods the login page offers.' })
  @ApiOkResponse({ type: AuthMethodsDto })
  async methods(): Promise<AuthMethodsDto> {
    const settings = await this.settings.get();
    const others =
      settings.method === 'oidc'
        ? (await this.providers.enabledProviders()).map((provider) => ({
            ...provider,
            loginUrl: providerLoginUrl(this.options, provider.id),
          }))
        : [];
    return loginMethodsOf(
      settings,
      `${this.options.siteOrigin}${this.options.routePrefix}/auth/oidc/login`,
      others,
    );
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Password sign-in; sets the session cookie and returns the token.' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiUnauthorizedResponse({ description: '`invalid_credentials`' })
  @ApiForbiddenResponse({ description: '`method_not_allowed`, `user_inactive`' })
  @ApiTooManyRequestsResponse({ description: '`too_many_attempts` (with Retry-After)' })
  @ApiCookieAuth()
  async login(
    @Body() body: LoginDto,
    @Req() request: HttpRequest,
    @Res({ passthrough: true }) response: HttpResponse,
  ): Promise<LoginResponseDto> {
    // Set before the attempt so refusals are uncacheable and leak no referrer either.
    setHeader(response, 'Cache-Control', 'no-store');
    setHeader(response, 'Referrer-Policy', 'no-referrer');
    try {
      const result = await this.passwordLogin.login(
        body.username,
        body.password,
        clientAddress(request),
        deviceCookieOf(request, this.options),
      );
      setSessionCookie(response, this.options, result.token, result.expiresAt);
      setDeviceCookie(response, this.options, result.deviceCookie);
      return { token: result.token, user: result.user };
    } catch (error) {
      if (error instanceof TooManyAttemptsError)
        setHeader(response, 'Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }
}
