// Raw HTTP helpers for the hardening suites: every call is bounded, so a hang fails the test.
import { expect } from 'vitest';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** Catches a hang, never a slow answer: two suites at once on 2 cores can take seconds per call. */
export const ANSWER_LIMIT_MS = 60_000;

export async function call(
  url: string,
  init: RequestInit & { limitMs?: number } = {},
): Promise<Answer> {
  const { limitMs, ...rest } = init;
  const response = await fetch(url, {
    redirect: 'manual',
    ...rest,
    signal: AbortSignal.timeout(limitMs ?? ANSWER_LIMIT_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A client error with the module's `{error, message}` body (stable code), never a 5xx. */
export function expectCodedClientError(answer: Answer, context: string): string {
  expect(answer.status, `${context}: ${answer.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(answer.status, `${context}: ${answer.text.slice(0, 300)}`).toBeLessThan(500);
  const body = answer.json as { error?: unknown; message?: unknown } | undefined;
  expect(typeof body?.error, `${context}: ${answer.text.slice(0, 300)}`).toBe('string');
  expect(body?.error as string).toMatch(/^[a-z_]+$/);
  expect(typeof body?.message).toBe('string');
  return body?.error as string;
}

/** Cookie header value from a response's Set-Cookie lines (name=value pairs only). */
export function cookiesOf(answer: { headers: Headers }): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const line of answer.headers.getSetCookie()) {
    const pair = line.split(';')[0];
    const eq = pair.indexOf('=');
    if (eq > 0) cookies[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return cookies;
}

export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
}

/** Counts fuzz cases per input, for the closing note of the run. */
export class CaseCounter {
  readonly counts: Record<string, number> = {};

  add(name: string): void {
    this.counts[name] = (this.counts[name] ?? 0) + 1;
  }

  total(): number {
    return Object.values(this.counts).reduce((sum, value) => sum + value, 0);
  }

  summary(): string {
    return `${this.total()} fuzz cases (${Object.entries(this.counts)
      .map(([name, value]) => `${name}: ${value}`)
      .join(', ')})`;
  }
}
