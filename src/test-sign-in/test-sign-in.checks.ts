import type { AuthError } from '../common/auth-error.js';
import type { TestSignInCheck, TestSignInCheckName } from './test-sign-in.report.js';

/** The checks of one test sign-in, in the order they ran; a name appears once. */
export class TestSignInChecks {
  readonly items: TestSignInCheck[] = [];

  pass(name: TestSignInCheckName, message?: string): void {
    this.set(message === undefined ? { name, ok: true } : { name, ok: true, message });
  }

  fail(name: TestSignInCheckName, error: AuthError): void {
    this.set({ name, ok: false, code: error.code, message: error.message });
  }

  private set(check: TestSignInCheck): void {
    const index = this.items.findIndex((item) => item.name === check.name);
    if (index >= 0) this.items[index] = check;
    else this.items.push(check);
  }
}

/** Header and claims of a compact JWT, decoded without verifying (never the signature). */
export function decodeJwtParts(
  token: string,
): { header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const [header, claims] = parts
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown);
    const isObject = (value: unknown): value is Record<string, unknown> =>
      !!value && typeof value === 'object' && !Array.isArray(value);
    return isObject(header) && isObject(claims) ? { header, claims } : null;
  } catch {
    return null;
  }
}
