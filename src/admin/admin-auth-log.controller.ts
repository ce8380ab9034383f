import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiQuery } from '../common/openapi.js';
import {
  type AuthLogQuery,
  type AuthLogView,
  AuthLogService,
} from '../auth-log/auth-log.service.js';
import { AuthError } from '../common/auth-error.js';
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
  @ApiProperty({ description: 'Identical refusals from one address folded into this entry.' })
  count: number;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Last folded refusal.',
  })
  lastAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WORD = /^[a-z0-9_]{1,64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

type Raw = Record<string, unknown>;

/** Parses the query string of `GET /admin/auth-log`; every bad value is a field error. */
export function parseAuthLogQuery(raw: Raw): AuthLogQuery {
  const fields: Record<string, string> = {};
  const one = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      fields[name] = 'Give this filter once.';
      return undefined;
    }
    return value;
  };
  const time = (name: string): Date | undefined => {
    const value = one(name);
    if (value === undefined) return undefined;
    const parsed = ISO_TIME.test(value) ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(parsed.getTime())) fields[name] = 'Must be an ISO 8601 date-time.';
    return parsed;
  };
  const query: AuthLogQuery = { limit: 200 };
  const result = one('result');
  if (result !== undefined) {
    if (result === 'success' || result === 'failure') query.result = result;
    else fields.result = 'Must be success or failure.';
  }
  for (const name of ['method', 'reason'] as const) {
    const value = one(name);
    if (value === undefined) continue;
    if (WORD.test(value)) query[name] = value;
    else fields[name] = 'Must be a code such as password or invalid_credentials.';
  }
  const userName = one('userName');
  if (userName !== undefined) {
    if (userName.length > 0 && userName.length <= 255) query.userName = userName;
    else fields.userName = 'Must be 1 to 255 characters.';
  }
  query.since = time('since');
  query.until = time('until');
  const limit = one('limit');
  if (limit !== undefined) {
    const parsed = /^\d{1,4}$/.test(limit) ? Number(limit) : Number.NaN;
    if (parsed >= 1 && parsed <= 1000) query.limit = parsed;
    else fields.limit = 'Must be a whole number from 1 to 1000.';
  }
  const before = one('before');
  if (before !== undefined) {
    if (UUID.test(before)) query.before = before.toLowerCase();
    else fields.before = 'Must be the id of an entry.';
  }
  if (query.since && query.until && !fields.since && !fields.until && query.since > query.until)
    fields.until = 'Must not be before since.';
  if (Object.keys(fields).length)
    throw new AuthError('validation_failed', 'Some filters are not valid.', { fields });
  return query;
}

@AdminApi()
@Controller('admin/auth-log')
export class AdminAuthLogController {
  constructor(private readonly authLog: AuthLogService) {}

  @Get()
  @ApiOperation({
    summary: 'Sign-in attempts, newest first; filters and a cursor (`before`: an entry id).',
  })
  @ApiQuery({ name: 'result', required: false, enum: ['success', 'failure'] })
  @ApiQuery({ name: 'method', required: false, description: 'password, oidc, logout, backchannel' })
  @ApiQuery({ name: 'userName', required: false, description: 'Exact (normalised) user name.' })
  @ApiQuery({
    name: 'reason',
    required: false,
    description: 'Reason code, e.g. invalid_credentials.',
  })
  @ApiQuery({ name: 'since', required: false, description: 'ISO 8601 date-time (inclusive).' })
  @ApiQuery({ name: 'until', required: false, description: 'ISO 8601 date-time (inclusive).' })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 1000, default 200' })
  @ApiQuery({
    name: 'before',
    required: false,
    description: 'Id of the last entry of the previous page: the next, older page.',
  })
  @ApiOkResponse({ type: [AuthLogEntryDto] })
  list(@Query() query: Raw): Promise<AuthLogView[]> {
    return this.authLog.list(parseAuthLogQuery(query ?? {}));
  }
}
