import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, type Repository } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import { hashPassword } from '../common/crypto.js';
import { IdentityEntity } from '../identities/identity.entity.js';
import { isUniqueViolation } from '../common/db-errors.js';
import { AuthEvents, type UserCreationSource } from '../events/auth-events.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { TeamMembershipEntity } from '../teams/team-membership.entity.js';
import { TeamEntity } from '../teams/team.entity.js';
import { UserEntity } from './user.entity.js';
import { MAX_USER_NAME_LENGTH, normalizeUserName } from './user-name.js';
import {
  type AuthenticatedUser,
  toAuthenticatedUser,
  toUserView,
  type UserView,
} from './user.view.js';

export interface CreateUserInput {
  userName: string;
  password: string;
  isAdmin?: boolean;
  isActive?: boolean;
  emailAddress?: string | null;
  phoneNumber?: string | null;
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
}

export interface UserProfileInput {
  emailAddress?: string | null;
  phoneNumber?: string | null;
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
}

/** What an admin may set on a new user; `teamIds` become `manual` memberships. */
export interface AdminCreateUserInput extends CreateUserInput {
  teamIds?: string[];
}

/** What an admin may change; every field left out keeps its value. */
export interface UpdateUserInput extends UserProfileInput {
  userName?: string;
  password?: string;
  isAdmin?: boolean;
  isActive?: boolean;
  /** Replaces the membership list: kept memberships keep their source, new ones are `manual`. */
  teamIds?: string[];
}

const PROFILE_FIELDS = [
  'emailAddress',
  'phoneNumber',
  'firstName',
  'middleName',
  'lastName',
] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Empty or blank profile text is stored as null. */
function profileValue(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function checkedUserName(value: string): string {
  const userName = normalizeUserName(value);
  if (!userName)
    throw new AuthError('validation_failed', 'Some fields are not valid.', {
      fields: { userName: 'Must not be empty.' },
    });
  if (userName.length > MAX_USER_NAME_LENGTH)
    throw new AuthError('validation_failed', 'Some fields are not valid.', {
      fields: { userName: `At most ${MAX_USER_NAME_LENGTH} characters.` },
    });
  return userName;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly events: AuthEvents,
  ) {}

  findByUserName(userName: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { userName } });
  }

  /** The only read of `passwordHash` (a `select: false` column): for password sign-in. */
  findByUserNameWithPassword(userName: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('user.userName = :userName', { userName })
      .getOne();
  }

  findById(id: string): Promise<UserEntity | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.users.findOne({ where: { id } });
  }

  async create(input: CreateUserInput, source: UserCreationSource = 'api'): Promise<UserEntity> {
    const user = await this.users.save(
      this.users.create({
        userName: input.userName,
        passwordHash: await hashPassword(input.password),
        isAdmin: input.isAdmin ?? false,
        isActive: input.isActive ?? true,
        emailAddress: input.emailAddress ?? null,
        phoneNumber: input.phoneNumber ?? null,
        firstName: input.firstName ?? null,
        middleName: input.middleName ?? null,
        lastName: input.lastName ?? null,
      }),
    );
    // The hash stays in the database: a returned entity must not carry it into JSON.
    delete (user as Partial<UserEntity>).passwordHash;
    await this.events.userCreated({ user: toAuthenticatedUser(user), source, claims: null });
    return user;
  }

  /** Creates the bootstrap admin when no user of that name exists; an existing user is never changed. */
  async ensureAdmin(name: string, password: string): Promise<'created' | 'exists'> {
    const userName = checkedUserName(name);
    if (await this.findByUserName(userName)) return 'exists';
    try {
      await this.create({ userName, password, isAdmin: true }, 'bootstrap');
      return 'created';
    } catch (error) {
      if (await this.findByUserName(userName)) return 'exists'; // another instance created it first
      throw error;
    }
  }

  /** The user object of the HTTP contract (with teams). */
  async toView(
    user: UserEntity,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<UserView> {
    const teams = await this.teamsOf([user.id], manager);
    return toUserView(user, teams.get(user.id) ?? []);
  }

  async view(id: string): Promise<UserView> {
    const user = await this.findById(id);
    if (!user) throw new AuthError('not_found', 'No such user.');
    return this.toView(user);
  }

  /** Every user, by name, with teams. */
  async list(): Promise<UserView[]> {
    const users = await this.users.find({ order: { userName: 'ASC' } });
    const teams = await this.teamsOf(
      users.map((user) => user.id),
      this.dataSource.manager,
    );
    return users.map((user) => toUserView(user, teams.get(user.id) ?? []));
  }

  /** Admin creation: name normalised, profile trimmed, memberships `manual`; 409 on a taken name. */
  async createByAdmin(input: AdminCreateUserInput): Promise<UserView> {
    const userName = checkedUserName(input.userName);
    const passwordHash = await hashPassword(input.password);
    let view: UserView;
    try {
      view = await this.dataSource.transaction(async (manager) => {
        const repository = manager.getRepository(UserEntity);
        const user = await repository.save(
          repository.create({
            userName,
            passwordHash,
            isAdmin: input.isAdmin ?? false,
            isActive: input.isActive ?? true,
            emailAddress: profileValue(input.emailAddress),
            phoneNumber: profileValue(input.phoneNumber),
            firstName: profileValue(input.firstName),
            middleName: profileValue(input.middleName),
            lastName: profileValue(input.lastName),
          }),
        );
        if (input.teamIds?.length) await this.setTeams(user.id, input.teamIds, manager);
        return this.toView(user, manager);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AuthError('conflict', 'A user with that name already exists.', { cause: error });
      throw error;
    }
    const user = { ...view } as Partial<UserView>;
    delete user.teams;
    await this.events.userCreated({
      user: user as AuthenticatedUser,
      source: 'admin',
      claims: null,
    });
    return view;
  }

  /**
   * Admin change. Deactivation or a new password ends every session of the user; the last
   * active admin can be neither deactivated nor demoted (admins must keep a way in).
   */
  async update(id: string, input: UpdateUserInput): Promise<UserView> {
    const userName = input.userName === undefined ? undefined : checkedUserName(input.userName);
    const passwordHash =
      input.password === undefined ? undefined : await hashPassword(input.password);
    let endSessions = false;
    let view: UserView;
    try {
      view = await this.dataSource.transaction(async (manager) => {
        const repository = manager.getRepository(UserEntity);
        if (!UUID.test(id)) throw new AuthError('not_found', 'No such user.');
        const user = await repository.findOne({
          where: { id },
          lock: { mode: 'pessimistic_write' },
        });
        if (!user) throw new AuthError('not_found', 'No such user.');
        const losesAdmin =
          user.isAdmin && user.isActive && (input.isAdmin === false || input.isActive === false);
        if (losesAdmin) await this.assertAnotherActiveAdmin(user.id, manager);
        endSessions = (user.isActive && input.isActive === false) || passwordHash !== undefined;
        // An admin role set by hand is the admin's, no longer the IdP's to take away.
        const adminByHand = input.isAdmin !== undefined && input.isAdmin !== user.isAdmin;
        if (userName !== undefined) user.userName = userName;
        if (passwordHash !== undefined) user.passwordHash = passwordHash;
        if (input.isAdmin !== undefined) user.isAdmin = input.isAdmin;
        if (input.isActive !== undefined) user.isActive = input.isActive;
        for (const field of PROFILE_FIELDS) {
          if (input[field] !== undefined) user[field] = profileValue(input[field]);
        }
        const saved = await repository.save(user);
        if (adminByHand)
          await manager.update(IdentityEntity, { userId: id }, { adminGranted: false });
        if (input.teamIds !== undefined) await this.setTeams(user.id, input.teamIds, manager);
        return this.toView(saved, manager);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AuthError('conflict', 'A user with that name already exists.', { cause: error });
      throw error;
    }
    if (endSessions) await this.sessions.revokeAllOfUser(id);
    return view;
  }

  /**
   * Replaces a user's memberships with `teamIds`: memberships kept keep their source
   * (`manual` or `oidc`), new ones are `manual`. Unknown team ids are a validation error.
   */
  async setTeams(userId: string, teamIds: string[], manager: EntityManager): Promise<void> {
    const wanted = [...new Set(teamIds.map((id) => id.toLowerCase()))];
    const invalid = wanted.filter((id) => !UUID.test(id));
    const found = invalid.length
      ? []
      : await manager
          .getRepository(TeamEntity)
          .find({ where: { id: In(wanted) }, select: { id: true } });
    if (invalid.length || found.length !== wanted.length) {
      const known = new Set(found.map((team) => team.id));
      const fields: Record<string, string> = {};
      teamIds.forEach((id, index) => {
        if (!known.has(id.toLowerCase())) fields[`teamIds[${index}]`] = 'No such team.';
      });
      throw new AuthError('validation_failed', 'Some fields are not valid.', { fields });
    }
    const memberships = manager.getRepository(TeamMembershipEntity);
    const current = await memberships.find({ where: { userId } });
    const have = new Set(current.map((row) => row.teamId));
    const gone = current.filter((row) => !wanted.includes(row.teamId)).map((row) => row.teamId);
    if (gone.length) await memberships.delete({ userId, teamId: In(gone) });
    const added = wanted.filter((id) => !have.has(id));
    if (added.length) {
      await memberships
        .createQueryBuilder()
        .insert()
        .values(added.map((teamId) => ({ userId, teamId, source: 'manual' as const })))
        .orIgnore()
        .execute();
    }
  }

  private async assertAnotherActiveAdmin(userId: string, manager: EntityManager): Promise<void> {
    // Locks every active admin row so two admins cannot demote each other at the same time.
    const admins = await manager
      .getRepository(UserEntity)
      .createQueryBuilder('user')
      .select('user.id')
      .where('user.isAdmin = true AND user.isActive = true')
      .setLock('pessimistic_write')
      .getMany();
    if (!admins.some((admin) => admin.id !== userId)) {
      throw new AuthError('conflict', 'This is the last active administrator; keep one.');
    }
  }

  private async teamsOf(
    userIds: string[],
    manager: EntityManager,
  ): Promise<Map<string, { id: string; name: string }[]>> {
    const byUser = new Map<string, { id: string; name: string }[]>();
    if (!userIds.length) return byUser;
    const rows = await manager
      .getRepository(TeamMembershipEntity)
      .createQueryBuilder('membership')
      .innerJoin(TeamEntity, 'team', 'team.id = membership.teamId')
      .select(['membership.userId AS "userId"', 'team.id AS "id"', 'team.name AS "name"'])
      .where('membership.userId IN (:...userIds)', { userIds })
      .getRawMany<{ userId: string; id: string; name: string }>();
    for (const row of rows) {
      const list = byUser.get(row.userId) ?? [];
      list.push({ id: row.id, name: row.name });
      byUser.set(row.userId, list);
    }
    return byUser;
  }
}
