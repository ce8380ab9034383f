/**
 * RFC 7518 section 3.2: an HMAC key must be at least as long as the hash output, so HS256,
 * HS384 and HS512 need a client secret of at least 32, 48 and 64 bytes (UTF-8).
 */
export function minHmacSecretBytes(algorithm: string): number {
  const match = /^HS(256|384|512)$/.exec(algorithm);
  return match ? Number(match[1]) / 8 : 0;
}

/** Bytes of the secret as it keys the HMAC (UTF-8). */
export function secretBytes(secret: string): number {
  return Buffer.byteLength(secret, 'utf8');
}

/** The longest minimum among the allowed algorithms (0 when no HS* algorithm is allowed). */
export function requiredSecretBytes(algorithms: readonly string[]): {
  bytes: number;
  algorithm: string | null;
} {
  let best = { bytes: 0, algorithm: null as string | null };
  for (const algorithm of algorithms) {
    const bytes = minHmacSecretBytes(algorithm);
    if (bytes > best.bytes) best = { bytes, algorithm };
  }
  return best;
}

/** Field and log message; starts with the stable code so admins can search for it. */
export function hsSecretTooShortMessage(algorithm: string, needed: number, actual: number): string {
  return `hs_secret_too_short: ${algorithm} needs a client secret of at least ${needed} bytes (RFC 7518 3.2); this one has ${actual}. Use a longer secret or allow only RS* algorithms.`;
}
