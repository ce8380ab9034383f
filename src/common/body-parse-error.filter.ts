import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Injectable,
  Logger,
} from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { sendBackchannelRefusal } from '../logout/backchannel-logout.response.js';
import { bodyParseError } from './auth-error.filter.js';
import { headersSent, type HttpRequest, type HttpResponse, sendJson } from './http.js';

/** Route bases of the module's JSON controllers, under the route prefix. */
const MODULE_ROUTES = [
  'auth',
  'admin/authentication',
  'admin/auth-log',
  'admin/teams',
  'admin/users',
];

/** Matches (by `instanceof`) only body-parse errors, so every other error passes this filter by. */
export class BodyParseFailure {
  static [Symbol.hasInstance](value: unknown): boolean {
    return bodyParseError(value) !== undefined;
  }
}

/**
 * Body-parse errors happen before any controller, so only a global filter sees them. This one
 * catches nothing else: on the module's routes it answers the module's codes (the back-channel
 * endpoint: 400 invalid_request); elsewhere it leaves the answer to Nest's default handling.
 */
@Injectable()
@Catch(BodyParseFailure)
export class BodyParseErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('BodyParseErrorFilter');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<HttpRequest & { originalUrl?: string }>();
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const path = (request.originalUrl ?? request.url ?? '').split('?')[0];
    const prefix = this.options.routePrefix;
    const error = bodyParseError(exception);
    if (!error || headersSent(response)) {
      new BaseExceptionFilter(this.adapterHost.httpAdapter).catch(exception, host);
      return;
    }
    if (path === `${prefix}/backchannelLogout`) {
      this.logger.warn(`Back-channel logout request refused: unreadable body (${error.code}).`);
      sendBackchannelRefusal(
        response,
        error.code === 'payload_too_large'
          ? 'The request body is too large.'
          : 'The request body could not be read.',
      );
      return;
    }
    if (
      MODULE_ROUTES.some(
        (route) => path === `${prefix}/${route}` || path.startsWith(`${prefix}/${route}/`),
      )
    ) {
      sendJson(response, error.getStatus(), error.toJSON());
      return;
    }
    new BaseExceptionFilter(this.adapterHost.httpAdapter).catch(exception, host);
  }
}
