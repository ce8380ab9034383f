import type { AuthenticatedUser } from '../users/user.view.js';
import type { SessionEntity } from '../sessions/session.entity.js';
import type { HttpRequest } from './http.js';

export { clientAddress } from './http.js';

/** What the session guard attaches to the request (`req.auth`). */
export interface AuthRequestState {
  user: AuthenticatedUser;
  session: Pick<
    SessionEntity,
    'id' | 'method' | 'userId' | 'idpIssuer' | 'idpSubject' | 'idpSid' | 'expiresAt'
  >;
  /** The raw session token of this request (to revoke it); never logged. */
  token: string;
}

/** A request of either adapter once the guard ran: the user on `user`, the session on `auth`. */
export type AuthRequest = HttpRequest & { auth?: AuthRequestState; user?: AuthenticatedUser };
