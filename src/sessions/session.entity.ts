import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import type { UserEntity } from '../users/user.entity.js';

export type SessionMethod = 'password' | 'oidc';

@Entity({ name: 'auth_session' })
@Index('IDX_auth_session_user', ['userId'])
@Index('IDX_auth_session_idp_sid', ['idpIssuer', 'idpSid'])
@Index('IDX_auth_session_idp_sub', ['idpIssuer', 'idpSubject'])
export class SessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** SHA-256 (hex) of the session token; the token itself is never stored. */
  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true })
  tokenHash: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;

  @Column({ type: 'varchar', length: 16 })
  method: SessionMethod;

  @Column({ name: 'idp_issuer', type: 'text', nullable: true })
  idpIssuer: string | null;

  @Column({ name: 'idp_subject', type: 'text', nullable: true })
  idpSubject: string | null;

  @Column({ name: 'idp_sid', type: 'text', nullable: true })
  idpSid: string | null;

  /** Provider the session signed in through; null: `default` (and every password session). */
  @Column({ name: 'provider_id', type: 'varchar', length: 63, nullable: true })
  providerId: string | null;

  /** Raw ID token, kept for `id_token_hint` at logout; never returned by any endpoint. */
  @Column({ name: 'id_token', type: 'text', nullable: true })
  idToken: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
