import { Injectable, Logger } from '@nestjs/common';
import type { AuthenticatedUser } from '../users/user.view.js';

/** How a user signed in, or where a user was created. */
export type AuthEventMethod = 'password' | 'oidc';
export type UserCreationSource = 'oidc' | 'admin' | 'bootstrap' | 'api';

/** A completed sign-in: the session exists when this is emitted. */
export interface AuthSignInEvent {
  user: AuthenticatedUser;
  method: AuthEventMethod;
  /** Verified claims (ID token merged with UserInfo, ID token winning); `null` for password sign-ins. */
  claims: Readonly<Record<string, unknown>> | null;
  /** Whether this sign-in created the user (OIDC `createUser`). */
  created: boolean;
}

/** A user row that did not exist before. */
export interface AuthUserCreatedEvent {
  user: AuthenticatedUser;
  source: UserCreationSource;
  /** Verified claims when an OIDC sign-in created the user, else `null`. */
  claims: Readonly<Record<string, unknown>> | null;
}

export type AuthEventHandler<E> = (event: E) => void | Promise<void>;

/**
 * Hooks for the host: attach its own data to users and react to sign-ins and user creation.
 * Handlers run in registration order and are awaited before the response is sent; a handler
 * that throws is logged and does not undo the sign-in (the session already exists).
 */
@Injectable()
export class AuthEvents {
  private readonly logger = new Logger('AuthEvents');
  private readonly signInHandlers: AuthEventHandler<AuthSignInEvent>[] = [];
  private readonly createdHandlers: AuthEventHandler<AuthUserCreatedEvent>[] = [];

  /** Registers a sign-in handler; returns a function that removes it. */
  onSignIn(handler: AuthEventHandler<AuthSignInEvent>): () => void {
    return this.add(this.signInHandlers, handler);
  }

  /** Registers a user-creation handler; returns a function that removes it. */
  onUserCreated(handler: AuthEventHandler<AuthUserCreatedEvent>): () => void {
    return this.add(this.createdHandlers, handler);
  }

  /** Emitted by the module after a session was created; a created user is announced first. */
  async signedIn(event: AuthSignInEvent): Promise<void> {
    if (event.created)
      await this.userCreated({ user: event.user, source: 'oidc', claims: event.claims });
    await this.run('sign-in', this.signInHandlers, event);
  }

  async userCreated(event: AuthUserCreatedEvent): Promise<void> {
    await this.run('user-created', this.createdHandlers, event);
  }

  private add<E>(list: AuthEventHandler<E>[], handler: AuthEventHandler<E>): () => void {
    if (typeof handler !== 'function')
      throw new TypeError('An AuthEvents handler must be a function.');
    list.push(handler);
    return () => {
      const index = list.indexOf(handler);
      if (index >= 0) list.splice(index, 1);
    };
  }

  private async run<E extends { user: AuthenticatedUser }>(
    name: string,
    handlers: AuthEventHandler<E>[],
    event: E,
  ): Promise<void> {
    for (const handler of [...handlers]) {
      try {
        await handler(event);
      } catch (error) {
        // The user name only: claims may hold personal data the log should not keep.
        this.logger.error(
          `A ${name} handler failed for "${event.user.userName}": ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
