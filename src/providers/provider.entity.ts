import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { StoredOidcSettings } from '../settings/auth-settings.types.js';

/** One OIDC provider besides `default` (which stays the `oidc` object of `auth_settings`). */
@Entity({ name: 'auth_provider' })
export class ProviderEntity {
  /** Slug used in URLs (`/auth/oidc/<id>/login`). */
  @PrimaryColumn({ type: 'varchar', length: 63 })
  id: string;

  /** Text of the login button. */
  @Column({ type: 'varchar', length: 255 })
  label: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  /** Same shape as the `oidc` object of the settings; the site-wide fields are not used. */
  @Column({ type: 'jsonb' })
  oidc: StoredOidcSettings;

  /** AES-256-GCM box of this provider's client secret, or null when none is set. */
  @Column({ name: 'client_secret_encrypted', type: 'text', nullable: true })
  clientSecretEncrypted: string | null;

  /** Incremented at every change: caches and pending logins of an older version are dropped. */
  @Column({ type: 'int', default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
