import { Logger } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader } from 'jose';

/** Debug mode: logs a verified JWT's header and claims, never the token or its signature. */
export function debugVerifiedJwt(
  logger: Logger,
  label: string,
  header: object,
  claims: object,
): void {
  if (!Logger.isLevelEnabled('debug')) return;
  logger.debug(`${label} header ${JSON.stringify(header)} claims ${JSON.stringify(claims)}`);
}

/**
 * Debug mode: logs the header and claims of a JWT that failed verification (decoded here, as
 * nothing else decoded it), never the token or its signature. A verified token is logged from
 * what the verification decoded (`debugVerifiedJwt`): a host whose logger declares no levels
 * has every level enabled in Nest, and would otherwise pay a second decode per token.
 */
export function debugRefusedJwt(logger: Logger, label: string, token: string): void {
  if (!Logger.isLevelEnabled('debug')) return;
  try {
    debugVerifiedJwt(logger, `${label} (refused)`, decodeProtectedHeader(token), decodeJwt(token));
  } catch {
    logger.debug(`${label} (refused) could not be decoded.`);
  }
}
