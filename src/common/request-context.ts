import type { Request } from 'express';
import type { AuthenticatedUser } from '../users/user.view.js';
import type { SessionEntity } from '../sessions/session.entity.js';

/** What the session guard attaches to the request. */
export interface AuthRequestState {
  user: AuthenticatedUser;
  session: Pick<
    SessionEntity,
    'id' | 'method' | 'userId' | 'idpIssuer' | 'idpSubject' | 'idpSid' | 'expiresAt'
  >;
  /** The raw session token of this request (to revoke it); never logged. */
  token: string;
}

export type AuthRequest = Request & { auth?: AuthRequestState };

/** Client address as Express sees it (honours `trust proxy` when the host sets it). */
export function clientAddress(request: Request): string {
  return (request.ip ?? request.socket?.remoteAddress ?? 'unknown').slice(0, 64);
}
