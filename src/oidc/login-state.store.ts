import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import { randomToken, sha256Hex } from '../common/crypto.js';
import { preparedQuery } from '../database/prepared-query.js';
import { LoginStateEntity } from './login-state.entity.js';

/** A pending login lives this long (the user has 10 minutes at the IdP). */
export const LOGIN_STATE_TTL_MS = 10 * 60 * 1000;
/** Expired rows are purged at most this often per process. */
const PURGE_INTERVAL_MS = 60 * 1000;

export interface NewLoginState {
  browserId: string;
  returnTo: string;
  settingsVersion: number;
  maxAge: number | null;
  pkce: boolean;
  /** Provider the login starts with; absent: `default`. */
  providerId?: string;
}

export interface StartedLogin {
  state: string;
  nonce: string;
  codeVerifier: string | null;
}

export interface PendingLogin {
  nonce: string;
  codeVerifier: string | null;
  returnTo: string;
  settingsVersion: number;
  maxAge: number | null;
  createdAt: Date;
  /** Provider the login started with (`default` for rows without one). */
  providerId: string;
}

/** Server-side, single-use OIDC login state (state, nonce, PKCE verifier), bound to a browser. */
@Injectable()
export class LoginStateStore {
  private readonly logger = new Logger('OidcLoginState');
  private lastPurge = 0;

  constructor(
    @InjectRepository(LoginStateEntity) private readonly states: Repository<LoginStateEntity>,
  ) {}

  async create(input: NewLoginState): Promise<StartedLogin> {
    // 256 bits each: unguessable, and only the state's hash is stored.
    const state = randomToken(32);
    const nonce = randomToken(32);
    const codeVerifier = input.pkce ? randomToken(32) : null;
    const now = Date.now();
    // Prepared statements on this path: every login start and callback runs them.
    await preparedQuery(
      this.states.manager.connection,
      'auth_login_state_insert_provider',
      `INSERT INTO auth_login_state (state_hash, browser_hash, nonce, code_verifier, return_to,
         settings_version, max_age, created_at, expires_at, provider_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        sha256Hex(state),
        sha256Hex(input.browserId),
        nonce,
        codeVerifier,
        input.returnTo,
        input.settingsVersion,
        input.maxAge,
        new Date(now),
        new Date(now + LOGIN_STATE_TTL_MS),
        input.providerId && input.providerId !== 'default' ? input.providerId : null,
      ],
    );
    this.purgeOccasionally(now);
    return { state, nonce, codeVerifier };
  }

  /**
   * Takes the pending login of `state` (single use) and checks it belongs to this browser:
   * `browserId` is the binding(s) the browser holds, one must be the one this login started with.
   */
  async consume(state: unknown, browserId: string | string[] | undefined): Promise<PendingLogin> {
    if (typeof state !== 'string' || state.length === 0 || state.length > 512)
      throw new AuthError('state_missing', 'The IdP sent no state; start the sign-in again.');
    // DELETE ... RETURNING: two callbacks with one state cannot both win.
    const rows = await preparedQuery<Record<string, unknown>>(
      this.states.manager.connection,
      'auth_login_state_consume_provider',
      `DELETE FROM auth_login_state WHERE state_hash = $1
       RETURNING browser_hash, nonce, code_verifier, return_to, settings_version, max_age, created_at, expires_at, provider_id`,
      [sha256Hex(state)],
    );
    const row = rows?.[0];
    if (!row)
      throw new AuthError(
        'state_mismatch',
        'The sign-in state is unknown or already used; start the sign-in again.',
      );
    // The state must come back to the browser that started the login (login CSRF defence).
    const held = browserId === undefined ? [] : Array.isArray(browserId) ? browserId : [browserId];
    if (!held.some((binding) => sha256Hex(binding) === row.browser_hash))
      throw new AuthError(
        'state_mismatch',
        'The sign-in was started in another browser; start it again here.',
      );
    if (new Date(row.expires_at as string).getTime() <= Date.now())
      throw new AuthError('state_expired', 'The sign-in took too long; start it again.');
    return {
      nonce: row.nonce as string,
      codeVerifier: (row.code_verifier as string | null) ?? null,
      returnTo: row.return_to as string,
      settingsVersion: Number(row.settings_version),
      maxAge: row.max_age === null ? null : Number(row.max_age),
      createdAt: new Date(row.created_at as string),
      providerId: (row.provider_id as string | null) ?? 'default',
    };
  }

  private purgeOccasionally(now: number): void {
    if (now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    this.states.delete({ expiresAt: LessThan(new Date(now)) }).catch((error: unknown) => {
      this.logger.warn(`Purging expired login states failed: ${String(error)}`);
    });
  }
}
