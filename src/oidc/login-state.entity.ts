import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A pending OIDC login: single use, expiring, bound to the browser by a cookie. */
@Entity({ name: 'auth_login_state' })
@Index('IDX_auth_login_state_expires', ['expiresAt'])
export class LoginStateEntity {
  /** SHA-256 (hex) of the `state` parameter. */
  @PrimaryColumn({ name: 'state_hash', type: 'char', length: 64 })
  stateHash: string;

  /** SHA-256 (hex) of the browser-binding cookie value. */
  @Column({ name: 'browser_hash', type: 'char', length: 64 })
  browserHash: string;

  @Column({ type: 'text' })
  nonce: string;

  @Column({ name: 'code_verifier', type: 'text', nullable: true })
  codeVerifier: string | null;

  @Column({ name: 'return_to', type: 'text' })
  returnTo: string;

  @Column({ name: 'settings_version', type: 'int' })
  settingsVersion: number;

  /** `max_age` sent in the request, when any (auth_time is then checked). */
  @Column({ name: 'max_age', type: 'int', nullable: true })
  maxAge: number | null;

  /** Provider the login started with; null: `default`. */
  @Column({ name: 'provider_id', type: 'varchar', length: 63, nullable: true })
  providerId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
