import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `jti`s of accepted logout tokens, kept until the token expires so a replay is refused on every instance. */
@Entity({ name: 'auth_logout_jti' })
@Index('IDX_auth_logout_jti_expires', ['expiresAt'])
export class LogoutJtiEntity {
  @PrimaryColumn({ type: 'text' })
  issuer: string;

  @PrimaryColumn({ type: 'text' })
  jti: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
