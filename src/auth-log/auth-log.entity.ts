import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'auth_log' })
@Index('IDX_auth_log_created', ['createdAt'])
export class AuthLogEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'varchar', length: 16 })
  /** `oidc_test`: an admin's test sign-in (never a real sign-in, never throttled). */
  method: 'password' | 'oidc' | 'oidc_test' | 'logout' | 'backchannel';

  @Column({ name: 'user_name', type: 'varchar', length: 255, nullable: true })
  userName: string | null;

  @Column({ name: 'ip_address', type: 'varchar', length: 64, nullable: true })
  ipAddress: string | null;

  @Column({ type: 'boolean' })
  success: boolean;

  /** Stable reason code (`ok` on success). */
  @Column({ type: 'varchar', length: 64 })
  reason: string;

  /** Message for the admin (never a token or secret). */
  @Column({ type: 'text', nullable: true })
  message: string | null;

  /** Identical refusals folded into this row (1 when not folded). */
  @Column({ type: 'int', default: 1 })
  count: number;

  /** Time of the last refusal folded into this row; null when not folded. */
  @Column({ name: 'last_at', type: 'timestamptz', nullable: true })
  lastAt: Date | null;

  /** Id of the trusted-device cookie a password attempt presented, when any. */
  @Column({ name: 'device_id', type: 'varchar', length: 32, nullable: true })
  deviceId: string | null;
}
