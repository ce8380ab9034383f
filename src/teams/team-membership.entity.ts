import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import type { TeamEntity } from './team.entity.js';
import type { UserEntity } from '../users/user.entity.js';

/** Who added a membership: an admin (`manual`, never removed by sync) or OIDC team sync (`oidc`). */
export type MembershipSource = 'manual' | 'oidc';

@Entity({ name: 'auth_team_membership' })
@Index('IDX_auth_team_membership_team', ['teamId'])
export class TeamMembershipEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @PrimaryColumn({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ type: 'varchar', length: 16 })
  source: MembershipSource;

  /** With source `oidc`: the provider whose team sync added it; null: `default`. */
  @Column({ name: 'provider_id', type: 'varchar', length: 63, nullable: true })
  providerId: string | null;

  @ManyToOne('UserEntity', 'memberships', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<UserEntity>;

  @ManyToOne('TeamEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id' })
  team?: Relation<TeamEntity>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
