import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { StoredOidcSettings } from './auth-settings.types.js';

/** The one settings row (id 1). The client secret lives only encrypted, in its own column. */
@Entity({ name: 'auth_settings' })
export class AuthSettingsEntity {
  @PrimaryColumn({ type: 'int' })
  id: number;

  @Column({ type: 'varchar', length: 16 })
  method: 'password' | 'oidc';

  @Column({ type: 'jsonb' })
  oidc: StoredOidcSettings;

  /** AES-256-GCM box (`v1.iv.tag.ciphertext`) of the client secret, or null when none is set. */
  @Column({ name: 'client_secret_encrypted', type: 'text', nullable: true })
  clientSecretEncrypted: string | null;

  /** Incremented at every change; logins record it so a login never mixes two versions. */
  @Column({ type: 'int', default: 1 })
  version: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
