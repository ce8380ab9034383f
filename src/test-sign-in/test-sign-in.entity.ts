import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { StoredOidcSettings } from '../settings/auth-settings.types.js';
import type { TestSignInReport } from './test-sign-in.report.js';

/** A test sign-in started by an admin: candidate settings, one-time state, then the report. */
@Entity({ name: 'auth_test_sign_in' })
@Index('IDX_auth_test_sign_in_expires', ['expiresAt'])
export class TestSignInEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** SHA-256 (hex) of the `state`; null once the IdP came back (single use). */
  @Index('UQ_auth_test_sign_in_state', { unique: true })
  @Column({ name: 'state_hash', type: 'char', length: 64, nullable: true })
  stateHash: string | null;

  /** SHA-256 (hex) of the binding cookie given to the admin's browser. */
  @Column({ name: 'browser_hash', type: 'char', length: 64 })
  browserHash: string;

  /** The admin who started it: the only one who may read the report. */
  @Column({ name: 'admin_user_id', type: 'uuid' })
  adminUserId: string;

  @Column({ type: 'text' })
  nonce: string;

  @Column({ name: 'code_verifier', type: 'text', nullable: true })
  codeVerifier: string | null;

  /** The settings under test, without the client secret. */
  @Column({ type: 'jsonb' })
  settings: StoredOidcSettings;

  /** AES-256-GCM box of the client secret under test (never stored in clear). */
  @Column({ name: 'client_secret_encrypted', type: 'text', nullable: true })
  clientSecretEncrypted: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: 'pending' | 'running' | 'done';

  @Column({ type: 'jsonb', nullable: true })
  report: TestSignInReport | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
