import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import type { UserEntity } from '../users/user.entity.js';

/** An OIDC identity `(issuer, subject)` bound to one user; a user has at most one per issuer. */
@Entity({ name: 'auth_identity' })
@Index('UQ_auth_identity_issuer_subject', ['issuer', 'subject'], { unique: true })
@Index('UQ_auth_identity_user_issuer', ['userId', 'issuer'], { unique: true })
export class IdentityEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  issuer: string;

  @Column({ type: 'text' })
  subject: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;

  /** The IdP granted this user the admin role (adminGroups); `manual` mode demotes only these. */
  @Column({ name: 'admin_granted', type: 'boolean', default: false })
  adminGranted: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;
}
