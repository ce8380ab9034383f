import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  type HttpRequest as Request,
  type HttpResponse as Response,
  setHeader,
} from '../common/http.js';
import { AdminApi } from '../admin/admin-api.decorator.js';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '../common/openapi.js';
import { CurrentUser } from '../sessions/current-user.decorator.js';
import type { AuthenticatedUser } from '../users/user.view.js';
import {
  StartTestSignInDto,
  TestSignInReportDto,
  TestSignInStartedDto,
} from './test-sign-in.dto.js';
import type { TestSignInReport } from './test-sign-in.report.js';
import { type TestSignInStarted, TestSignInService } from './test-sign-in.service.js';

@AdminApi()
@Controller('admin/authentication/test-sign-in')
export class TestSignInController {
  constructor(private readonly testSignIn: TestSignInService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Starts a test sign-in with the settings as in the form (merged over the stored ones like PUT; method ignored); saves no settings.',
  })
  @ApiBody({ type: StartTestSignInDto })
  @ApiCreatedResponse({ type: TestSignInStartedDto })
  @ApiBadRequestResponse({ description: '`validation_failed` with `fields`, as PUT' })
  // The body is checked by the settings validator, as PUT /admin/authentication does.
  start(
    @Body() body: Record<string, unknown>,
    @CurrentUser() admin: AuthenticatedUser,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TestSignInStarted> {
    setHeader(response, 'Cache-Control', 'no-store');
    return this.testSignIn.start(body, admin, request, response);
  }

  @Get(':id')
  @ApiOperation({ summary: 'The report of a test sign-in (only for the admin who started it).' })
  @ApiOkResponse({ type: TestSignInReportDto })
  @ApiNotFoundResponse({ description: '`not_found` (unknown, expired, or another admin’s)' })
  report(
    @Param('id') id: string,
    @CurrentUser() admin: AuthenticatedUser,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TestSignInReport> {
    setHeader(response, 'Cache-Control', 'no-store');
    return this.testSignIn.report(id, admin);
  }
}
