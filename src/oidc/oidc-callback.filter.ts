import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { toAuthError } from '../common/auth-error.filter.js';
import {
  headersSent,
  headerValue,
  type HttpRequest,
  type HttpResponse,
  redirect,
  sendJson,
  setHeader,
} from '../common/http.js';

/** JSON-only clients get the code as JSON; browsers get a redirect to the login page. */
function wantsJson(request: HttpRequest): boolean {
  const accept = (headerValue(request, 'accept') ?? '').toLowerCase();
  return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * A refused OIDC start or callback (already logged by the login service), uncacheable: the
 * start answers JSON; the callback redirects browsers to the login page with the code.
 */
@Catch()
export class OidcCallbackFilter implements ExceptionFilter {
  constructor(private readonly step: 'start' | 'callback' = 'callback') {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<HttpRequest>();
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const error = toAuthError(exception);
    if (headersSent(response)) return;
    setHeader(response, 'Cache-Control', 'no-store');
    setHeader(response, 'Referrer-Policy', 'no-referrer');
    if (this.step === 'start' || wantsJson(request)) {
      sendJson(response, error.getStatus(), { error: error.code, message: error.message });
      return;
    }
    redirect(response, `/login?error=${encodeURIComponent(error.code)}`);
  }
}
