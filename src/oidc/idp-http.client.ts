import { Injectable } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthError, type AuthErrorCode } from '../common/auth-error.js';

export interface IdpRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Form body (application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  /** Code thrown when the IdP answers something unreadable (not JSON, too large, redirect). */
  failCode: AuthErrorCode;
  /** What is being fetched, for messages ("the JWKS", "the token endpoint"). */
  what: string;
}

export interface IdpResponse {
  status: number;
  /** Parsed JSON body; `undefined` for a non-2xx answer whose body is not JSON. */
  json: unknown;
}

/**
 * The one way the module talks to an IdP: fetch with a timeout on the whole exchange and a
 * size cap on the body, so a slow or hostile IdP can neither hang a login nor fill memory.
 */
@Injectable()
export class IdpHttpClient {
  constructor(
    @InjectAuthOptions()
    private readonly options: Pick<ResolvedAuthOptions, 'idpTimeoutMs' | 'idpMaxResponseBytes'>,
  ) {}

  async request(url: string, request: IdpRequest): Promise<IdpResponse> {
    const signal = AbortSignal.timeout(this.options.idpTimeoutMs);
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
    }
    let response: Response;
    try {
      // Redirects are not followed: an IdP endpoint answers directly or not at all.
      response = await fetch(url, {
        method: request.method ?? 'GET',
        headers,
        body,
        signal,
        redirect: 'manual',
      });
    } catch (error) {
      throw this.unreachable(request.what, error);
    }
    let text: string;
    try {
      text = await this.readCapped(response, request);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw this.unreachable(request.what, error);
    }
    const ok = response.status >= 200 && response.status < 300;
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch (error) {
      if (ok)
        throw new AuthError(request.failCode, `The IdP answered ${request.what} with non-JSON.`, {
          cause: error,
        });
      json = undefined;
    }
    if (ok && json === undefined)
      throw new AuthError(request.failCode, `The IdP answered ${request.what} with an empty body.`);
    return { status: response.status, json };
  }

  private unreachable(what: string, error: unknown): AuthError {
    const timedOut =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const message = timedOut
      ? `The IdP did not answer ${what} within ${this.options.idpTimeoutMs} ms.`
      : `The IdP could not be reached for ${what}; check the URL and the network.`;
    return new AuthError('idp_unreachable', message, { cause: error });
  }

  /** Reads the body as a stream and gives up past the cap. */
  private async readCapped(response: Response, request: IdpRequest): Promise<string> {
    const cap = this.options.idpMaxResponseBytes;
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > cap) {
      await response.body?.cancel().catch(() => undefined);
      throw this.tooLarge(request);
    }
    if (!response.body) return '';
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > cap) {
        await reader.cancel().catch(() => undefined);
        throw this.tooLarge(request);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private tooLarge(request: IdpRequest): AuthError {
    return new AuthError(
      request.failCode,
      `The IdP's answer to ${request.what} exceeds ${this.options.idpMaxResponseBytes} bytes.`,
    );
  }
}
