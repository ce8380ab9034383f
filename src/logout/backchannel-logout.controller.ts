import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '../common/openapi.js';
import { AuthError, isAuthError } from '../common/auth-error.js';
import {
  clientAddress,
  type HttpRequest,
  type HttpResponse,
  mediaType,
  sendEmpty,
  setHeader,
} from '../common/http.js';
import { Public } from '../sessions/public.decorator.js';
import { BackchannelLogoutService } from './backchannel-logout.service.js';
import { sendBackchannelRefusal, setNoStore } from './backchannel-logout.response.js';

/** The one `logout_token` of a form body, or a refusal naming what is wrong. */
function readLogoutToken(request: HttpRequest): string {
  if (mediaType(request) !== 'application/x-www-form-urlencoded')
    throw new AuthError(
      'logout_token_invalid',
      'The body must be application/x-www-form-urlencoded.',
    );
  const body: unknown = request.body;
  const value =
    body && typeof body === 'object' ? (body as Record<string, unknown>).logout_token : undefined;
  // A repeated parameter is ambiguous: which token was meant cannot be told.
  if (Array.isArray(value))
    throw new AuthError('logout_token_invalid', 'logout_token appears more than once.');
  if (typeof value !== 'string' || value.length === 0)
    throw new AuthError('logout_token_invalid', 'logout_token is missing.');
  return value;
}

/**
 * OpenID Connect Back-Channel Logout 1.0 endpoint, called by the IdP server to server. Answers
 * are written here (not by the global error filter) because the spec fixes their exact shape.
 */
@ApiTags('auth')
@Public()
@Controller()
export class BackchannelLogoutController {
  constructor(private readonly backchannel: BackchannelLogoutService) {}

  @Post('backchannelLogout')
  @ApiOperation({ summary: 'Back-channel logout from the IdP (logout_token, form-encoded).' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['logout_token'],
      properties: { logout_token: { type: 'string', description: 'Signed logout token (JWT).' } },
    },
  })
  @ApiOkResponse({ description: 'Done (also when no session matched); empty body.' })
  @ApiBadRequestResponse({ description: '{"error":"invalid_request","error_description":"..."}' })
  async logout(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    try {
      const token = readLogoutToken(request);
      await this.backchannel.handle(token, clientAddress(request));
    } catch (error) {
      sendBackchannelRefusal(
        response,
        isAuthError(error) ? error.message : 'The logout could not be processed.',
      );
      return;
    }
    setNoStore(response);
    sendEmpty(response, 200);
  }

  // A GET must never log anyone out (and is never 200).
  @Get('backchannelLogout')
  @ApiBadRequestResponse({ description: 'Only POST is accepted.' })
  refuseGet(@Res() response: HttpResponse): void {
    setHeader(response, 'Allow', 'POST');
    sendBackchannelRefusal(response, 'Use POST with a form-encoded logout_token.');
  }
}
