import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { AuthError } from './auth-error.js';
import { hasBody, type HttpRequest, mediaType } from './http.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * JSON routes accept only JSON bodies: a form post (which any site can make a browser send)
 * or any other type answers 415 instead of being parsed as input.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<HttpRequest>();
    if (
      BODY_METHODS.has(request.method ?? '') &&
      hasBody(request) &&
      mediaType(request) !== 'application/json'
    ) {
      throw new AuthError(
        'unsupported_media_type',
        'Send a JSON object with Content-Type: application/json.',
      );
    }
    return next.handle();
  }
}
