import { applyDecorators, UseGuards, UseInterceptors, UsePipes } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '../common/openapi.js';
import { JsonBodyInterceptor } from '../common/json-body.interceptor.js';
import { AuthValidationPipe } from '../common/validation.pipe.js';
import { AdminGuard } from '../sessions/admin.guard.js';

/**
 * What every admin controller shares: the admin guard (after the global session guard),
 * validated JSON bodies, and its OpenAPI description.
 */
export const AdminApi = (): ClassDecorator =>
  applyDecorators(
    ApiTags('admin'),
    ApiBearerAuth(),
    ApiCookieAuth(),
    ApiUnauthorizedResponse({ description: '`unauthenticated`' }),
    ApiForbiddenResponse({ description: '`forbidden` (not an admin)' }),
    UseGuards(AdminGuard),
    UsePipes(AuthValidationPipe),
    UseInterceptors(JsonBodyInterceptor),
  );
