import type { TeamEntity } from '../teams/team.entity.js';
import type { UserEntity } from './user.entity.js';

/** The public user object of the HTTP contract. */
export interface UserView {
  id: string;
  userName: string;
  isAdmin: boolean;
  isActive: boolean;
  emailAddress: string | null;
  phoneNumber: string | null;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  teams: { id: string; name: string }[];
}

/** The user the session guard resolved (no password hash). */
export type AuthenticatedUser = Omit<UserView, 'teams'>;

export function toAuthenticatedUser(user: UserEntity): AuthenticatedUser {
  return {
    id: user.id,
    userName: user.userName,
    isAdmin: user.isAdmin,
    isActive: user.isActive,
    emailAddress: user.emailAddress,
    phoneNumber: user.phoneNumber,
    firstName: user.firstName,
    middleName: user.middleName,
    lastName: user.lastName,
  };
}

export function toUserView(user: UserEntity, teams: Pick<TeamEntity, 'id' | 'name'>[]): UserView {
  return {
    ...toAuthenticatedUser(user),
    teams: teams
      .map((team) => ({ id: team.id, name: team.name }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
