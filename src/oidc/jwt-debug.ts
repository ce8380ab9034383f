import { Logger } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader } from 'jose';

/** Debug mode: logs a JWT's header and claims, never the token or its signature. */
export function debugJwt(logger: Logger, label: string, token: string): void {
  // Decoding costs per request: only when debug output is on.
  if (!Logger.isLevelEnabled('debug')) return;
  try {
    const header = decodeProtectedHeader(token);
    const claims = decodeJwt(token);
    logger.debug(`${label} header ${JSON.stringify(header)} claims ${JSON.stringify(claims)}`);
  } catch {
    logger.debug(`${label} could not be decoded.`);
  }
}
