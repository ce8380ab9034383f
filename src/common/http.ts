import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/**
 * The request fields the module reads, common to Express's `Request` and Fastify's
 * `FastifyRequest` (and a bare `IncomingMessage` plus `query`/`body`).
 */
export interface HttpRequest {
  headers: IncomingHttpHeaders;
  method?: string;
  url?: string;
  query?: Record<string, unknown>;
  body?: unknown;
  ip?: string;
  socket?: { remoteAddress?: string };
  /** Fastify only: the Node request. */
  raw?: IncomingMessage;
}

/** Express's `Response` or Fastify's `FastifyReply`, told apart at run time. */
export type HttpResponse = object;

interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  header(name: string, value: string | string[]): FastifyReplyLike;
  getHeader(name: string): unknown;
  redirect(url: string, status?: number): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
  sent: boolean;
}

interface ExpressResponseLike {
  headersSent: boolean;
  status(status: number): ExpressResponseLike;
  setHeader(name: string, value: string | string[]): unknown;
  getHeader(name: string): unknown;
  redirect(status: number, url: string): void;
  json(body: unknown): unknown;
  end(): unknown;
}

function isFastifyReply(response: HttpResponse): response is FastifyReplyLike {
  const candidate = response as Partial<FastifyReplyLike>;
  return typeof candidate.code === 'function' && typeof candidate.raw === 'object';
}

function asExpress(response: HttpResponse): ExpressResponseLike {
  return response as ExpressResponseLike;
}

/** One header value as a string (repeated headers joined as Node does). */
export function headerValue(request: HttpRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The value of one cookie of the `Cookie` header, or undefined; nothing else is parsed. */
export function readCookie(request: HttpRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header.length === 0) return undefined;
  const prefix = `${name}=`;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    let pair = header.slice(start, end).trimStart();
    if (pair.startsWith(prefix)) {
      pair = pair.slice(prefix.length).trim();
      if (pair.length >= 2 && pair.startsWith('"') && pair.endsWith('"')) pair = pair.slice(1, -1);
      return decodeCookieValue(pair);
    }
    start = end + 1;
  }
  return undefined;
}

function decodeCookieValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export interface CookieOptions {
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: 'lax' | 'strict' | 'none';
  path?: string;
  expires?: Date;
  /** Milliseconds, as Express's `res.cookie` takes it. */
  maxAge?: number;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A `Set-Cookie` header value (RFC 6265 §4.1). */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!COOKIE_NAME.test(name)) throw new TypeError(`Invalid cookie name: ${name}`);
  const parts = [`${name}=${encodeURIComponent(value)}`];
  if (options.path) parts.push(`Path=${options.path}`);
  if (options.maxAge !== undefined) {
    const expires = new Date(Date.now() + options.maxAge);
    parts.push(`Max-Age=${Math.floor(options.maxAge / 1000)}`, `Expires=${expires.toUTCString()}`);
  } else if (options.expires) {
    parts.push(`Expires=${options.expires.toUTCString()}`);
  }
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  if (options.sameSite)
    parts.push(`SameSite=${options.sameSite[0].toUpperCase()}${options.sameSite.slice(1)}`);
  return parts.join('; ');
}

/** Adds one `Set-Cookie` header, keeping any set before. */
export function setCookie(
  response: HttpResponse,
  name: string,
  value: string,
  options: CookieOptions,
): void {
  appendHeader(response, 'Set-Cookie', serializeCookie(name, value, options));
}

/** Expires a cookie; the attributes must match the ones it was set with. */
export function clearCookie(response: HttpResponse, name: string, options: CookieOptions): void {
  setCookie(response, name, '', { ...options, maxAge: undefined, expires: new Date(0) });
}

export function setHeader(response: HttpResponse, name: string, value: string): void {
  if (isFastifyReply(response)) response.header(name, value);
  else asExpress(response).setHeader(name, value);
}

function appendHeader(response: HttpResponse, name: string, value: string): void {
  // Fastify appends repeated Set-Cookie headers itself.
  if (isFastifyReply(response)) {
    response.header(name, value);
    return;
  }
  const express = asExpress(response);
  const existing = express.getHeader(name);
  const values = Array.isArray(existing)
    ? (existing as string[])
    : typeof existing === 'string'
      ? [existing]
      : [];
  express.setHeader(name, [...values, value]);
}

export function setStatus(response: HttpResponse, status: number): void {
  if (isFastifyReply(response)) response.code(status);
  else asExpress(response).status(status);
}

export function redirect(response: HttpResponse, url: string, status = 302): void {
  if (isFastifyReply(response)) response.redirect(url, status);
  else asExpress(response).redirect(status, url);
}

export function sendJson(response: HttpResponse, status: number, body: unknown): void {
  if (isFastifyReply(response)) {
    response
      .code(status)
      .header('Content-Type', 'application/json; charset=utf-8')
      .send(JSON.stringify(body));
  } else {
    asExpress(response).status(status).json(body);
  }
}

/** An empty answer with this status. */
export function sendEmpty(response: HttpResponse, status: number): void {
  if (isFastifyReply(response)) response.code(status).send();
  else asExpress(response).status(status).end();
}

export function headersSent(response: HttpResponse): boolean {
  if (isFastifyReply(response)) return response.sent || response.raw.headersSent;
  return asExpress(response).headersSent;
}

/** The media type of the body (`type/subtype`, lower case), without parameters. */
export function mediaType(request: HttpRequest): string | undefined {
  const header = headerValue(request, 'content-type');
  if (!header) return undefined;
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/** Whether the request carries a body (the length or a chunked transfer says so). */
export function hasBody(request: HttpRequest): boolean {
  return (
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0
  );
}

/** Client address as the adapter sees it (honours the host's `trust proxy` setting). */
export function clientAddress(request: HttpRequest): string {
  const address =
    request.ip ?? request.socket?.remoteAddress ?? request.raw?.socket?.remoteAddress ?? 'unknown';
  return address.slice(0, 64);
}
