import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Agent as HttpAgent, type ClientRequest, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

/** A finished exchange: status and the body text (already capped). */
interface RawAnswer {
  status: number;
  text: string;
}

/** Thrown inside `send` when the whole exchange outlives the timeout. */
class IdpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Idle connections to an IdP are closed after this long (below the usual 5 s server keep-alive). */
const IDLE_SOCKET_MS = 4_000;
/** Connections per IdP host at once; more requests queue (each still under the whole-exchange timeout). */
const MAX_SOCKETS_PER_HOST = 64;

const agentOptions = {
  keepAlive: true,
  timeout: IDLE_SOCKET_MS,
  maxSockets: MAX_SOCKETS_PER_HOST,
  maxFreeSockets: 16,
  scheduling: 'lifo' as const,
};

/** A keep-alive socket the IdP closed while idle fails at once, before the IdP read anything. */
function isStaleSocket(outgoing: ClientRequest, error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return outgoing.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
}

/**
 * The one way the module talks to an IdP: a timeout on the whole exchange and a size cap on
 * the body. Connections are kept alive between calls (one TCP and TLS handshake per IdP host,
 * not per login), in this instance's own agents; on any early exit the socket is destroyed, so
 * a slow or hostile IdP can neither hang a login, fill memory nor hold sockets open.
 */
@Injectable()
export class IdpHttpClient implements OnModuleDestroy {
  private readonly httpAgent = new HttpAgent(agentOptions);
  private readonly httpsAgent = new HttpsAgent(agentOptions);

  constructor(
    @InjectAuthOptions()
    private readonly options: Pick<ResolvedAuthOptions, 'idpTimeoutMs' | 'idpMaxResponseBytes'>,
  ) {}

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  async request(url: string, request: IdpRequest): Promise<IdpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: string | undefined;
    if (request.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(request.form).toString();
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    let answer: RawAnswer;
    try {
      answer = await this.send(url, request.method ?? 'GET', headers, body, request);
    } catch (error) {
      if (error instanceof AuthError) throw error;
      throw this.unreachable(request.what, error);
    }
    const ok = answer.status >= 200 && answer.status < 300;
    let json: unknown;
    try {
      json = answer.text.length > 0 ? JSON.parse(answer.text) : undefined;
    } catch (error) {
      if (ok)
        throw new AuthError(request.failCode, `The IdP answered ${request.what} with non-JSON.`, {
          cause: error,
        });
      json = undefined;
    }
    if (ok && json === undefined)
      throw new AuthError(request.failCode, `The IdP answered ${request.what} with an empty body.`);
    return { status: answer.status, json };
  }

  /**
   * One HTTP exchange; redirects are not followed (an IdP endpoint answers directly or not at
   * all). A kept-alive socket the IdP had closed is retried once on a new connection.
   */
  private send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    request: IdpRequest,
    retried = false,
  ): Promise<RawAnswer> {
    const target = new URL(url);
    const cap = this.options.idpMaxResponseBytes;
    return new Promise<RawAnswer>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, answer?: RawAnswer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // A complete answer leaves its socket to the agent's pool; anything else closes it now.
        if (error) outgoing.destroy();
        if (error && !retried && isStaleSocket(outgoing, error))
          resolve(this.send(url, method, headers, body, request, true));
        else if (error) reject(error);
        else resolve(answer as RawAnswer);
      };
      const https = target.protocol === 'https:';
      const call = https ? httpsRequest : httpRequest;
      const agent = https ? this.httpsAgent : this.httpAgent;
      const outgoing = call(target, { method, headers, agent }, (incoming) => {
        const declared = Number(incoming.headers['content-length']);
        if (Number.isFinite(declared) && declared > cap) return finish(this.tooLarge(request));
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > cap) return finish(this.tooLarge(request));
          chunks.push(chunk);
        });
        incoming.on('end', () =>
          finish(undefined, {
            status: incoming.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        incoming.on('error', (error) => finish(error));
        incoming.on('aborted', () => finish(new Error('The IdP closed the connection.')));
      });
      const timer = setTimeout(
        () => finish(new IdpTimeoutError(`No answer within ${this.options.idpTimeoutMs} ms.`)),
        this.options.idpTimeoutMs,
      );
      outgoing.on('error', (error) => finish(error));
      outgoing.end(body);
    });
  }

  private unreachable(what: string, error: unknown): AuthError {
    const timedOut =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const message = timedOut
      ? `The IdP did not answer ${what} within ${this.options.idpTimeoutMs} ms.`
      : `The IdP could not be reached for ${what}; check the URL and the network.`;
    return new AuthError('idp_unreachable', message, { cause: error });
  }

  private tooLarge(request: IdpRequest): AuthError {
    return new AuthError(
      request.failCode,
      `The IdP's answer to ${request.what} exceeds ${this.options.idpMaxResponseBytes} bytes.`,
    );
  }
}
