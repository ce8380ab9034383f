import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import { headersSent, type HttpResponse, sendJson, setHeader } from './http.js';
import { AuthError, type AuthErrorCode } from './auth-error.js';

/** Body-parser and Nest errors mapped to stable codes (their messages may echo input). */
function fromHttpException(exception: HttpException): AuthError {
  const status = exception.getStatus();
  const byStatus: Partial<Record<number, [AuthErrorCode, string]>> = {
    400: ['bad_request', 'The request is malformed.'],
    401: ['unauthenticated', 'Sign in first.'],
    403: ['forbidden', 'Not allowed.'],
    404: ['not_found', 'No such resource.'],
    405: ['bad_request', 'Method not allowed.'],
    413: ['payload_too_large', 'The request body is too large.'],
    415: ['unsupported_media_type', 'Unsupported content type.'],
    429: ['too_many_attempts', 'Too many requests; try again later.'],
  };
  const [code, message] = byStatus[status] ?? ['bad_request', 'The request was refused.'];
  return new AuthError(code, message, { status: status >= 400 && status < 500 ? status : 400 });
}

/** Fastify's content-type parser errors (bad JSON, too large, unsupported type). */
function fromFastify(error: { code?: unknown; statusCode?: unknown }): AuthError | undefined {
  if (typeof error.code !== 'string' || !error.code.startsWith('FST_ERR_CTP_')) return undefined;
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AuthError('invalid_json', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AuthError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? new AuthError('unsupported_media_type', 'Unsupported content type.')
        : new AuthError('bad_request', 'The request body could not be read.');
    default:
      return new AuthError('bad_request', 'The request body could not be read.');
  }
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Whether a thrown value is a body-parser (Express) or content-type parser (Fastify) error. */
export function bodyParseError(exception: unknown): AuthError | undefined {
  if (!exception || typeof exception !== 'object') return undefined;
  if (exception instanceof AuthError) return undefined;
  const wrapped = exception instanceof HttpException ? exception.cause : exception;
  if (!wrapped || typeof wrapped !== 'object') return undefined;
  if (wrapped instanceof SyntaxError && (wrapped as { statusCode?: unknown }).statusCode === 400)
    // Fastify's JSON parser passes JSON.parse's own SyntaxError, marked 400.
    return new AuthError('invalid_json', 'The request body is not valid JSON.');
  return fromBodyParser(wrapped) ?? fromFastify(wrapped);
}

function fromBodyParser(error: BodyParserError): AuthError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new AuthError('invalid_json', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new AuthError('payload_too_large', 'The request body is too large.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AuthError('unsupported_media_type', 'Unsupported body encoding.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'parameters.too.many':
      return new AuthError('bad_request', 'The request body could not be read.');
    default:
      return undefined;
  }
}

/** Turns any thrown value into `{error, message}` with a stable code; never leaks internals. */
export function toAuthError(exception: unknown): AuthError {
  if (exception instanceof AuthError) return exception;
  if (exception instanceof HttpException) {
    // Nest's Express adapter wraps body-parser errors in an HttpException; their `type` is the precise code.
    const wrapped = exception.cause;
    const parsed = wrapped && typeof wrapped === 'object' ? fromBodyParser(wrapped) : undefined;
    if (parsed) return parsed;
    const status = exception.getStatus();
    if (status >= 500)
      return new AuthError('internal_error', 'Internal error.', { cause: exception });
    return fromHttpException(exception);
  }
  if (exception && typeof exception === 'object') {
    const parsed = fromBodyParser(exception) ?? fromFastify(exception);
    if (parsed) return parsed;
    if (isDatabaseUnavailable(exception)) {
      return new AuthError('service_unavailable', 'The database is unavailable; try again.', {
        cause: exception,
      });
    }
  }
  return new AuthError('internal_error', 'Internal error.', { cause: exception });
}

/** Connection-level database failures are a temporary 503, not a 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown; driverError?: { code?: unknown } })?.code;
  const driverCode = (error as { driverError?: { code?: unknown } })?.driverError?.code;
  const value = typeof code === 'string' ? code : typeof driverCode === 'string' ? driverCode : '';
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ETIMEDOUT',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
      '08003',
      '08000',
    ].includes(value)
  ) {
    return true;
  }
  // SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, restart).
  if (/^(08|57P)/.test(value)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|is not queryable|Query runner already released|query runner was already released|terminating connection|the database system is (starting up|shutting down|not yet accepting connections)/i.test(
    message,
  );
}

/**
 * Shapes every error thrown in the module's own controllers (`@UseFilters` on each of them,
 * never global): `{error, message}`, the headers the error carries, 5xx logged without secrets.
 */
@Catch()
export class AuthErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('AuthErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const error = toAuthError(exception);
    const status = error.getStatus();
    if (status >= 500) {
      // The cause may hold driver details but never request secrets: bodies are not logged.
      const cause =
        error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : '';
      this.logger.error(`${error.code}: ${cause}`);
    }
    if (headersSent(response)) return;
    for (const [name, value] of Object.entries(error.headers ?? {}))
      setHeader(response, name, value);
    sendJson(response, status, error.toJSON());
  }
}
