import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiQuery } from '../common/openapi.js';
import { type AuthLogView, AuthLogService } from '../auth-log/auth-log.service.js';
import { AdminApi } from './admin-api.decorator.js';

/** OpenAPI shape of an auth log entry. */
class AuthLogEntryDto implements AuthLogView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ enum: ['password', 'oidc', 'logout', 'backchannel'] }) method: string;
  @ApiProperty({ type: String, nullable: true }) userName: string | null;
  @ApiProperty({ type: String, nullable: true }) ipAddress: string | null;
  @ApiProperty() success: boolean;
  @ApiProperty({ description: 'Stable reason code; `ok` on success.' }) reason: string;
  @ApiProperty({ type: String, nullable: true }) message: string | null;
}

@AdminApi()
@Controller('admin/auth-log')
export class AdminAuthLogController {
  constructor(private readonly authLog: AuthLogService) {}

  @Get()
  @ApiOperation({ summary: 'Sign-in attempts, newest first.' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 200' })
  @ApiOkResponse({ type: [AuthLogEntryDto] })
  list(@Query('limit') limit?: string): Promise<AuthLogView[]> {
    const parsed = limit === undefined ? 200 : Number.parseInt(limit, 10);
    return this.authLog.list(Number.isFinite(parsed) ? parsed : 200);
  }
}
