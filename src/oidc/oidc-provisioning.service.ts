import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import { unusablePasswordHash } from '../common/crypto.js';
import { preparedQuery } from '../database/prepared-query.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { TeamMembershipEntity } from '../teams/team-membership.entity.js';
import { TeamEntity } from '../teams/team.entity.js';
import { MAX_USER_NAME_LENGTH, normalizeUserName } from '../users/user-name.js';
import { UserEntity } from '../users/user.entity.js';
import { claimAt, groupValues, type OidcClaims } from './oidc-claims.js';

type ProfileField = 'emailAddress' | 'phoneNumber' | 'firstName' | 'middleName' | 'lastName';

/** Claim → user field, with the column length (a longer value is skipped, not cut). */
const PROFILE_CLAIMS: [string, ProfileField, number][] = [
  ['email', 'emailAddress', 255],
  ['phone_number', 'phoneNumber', 64],
  ['given_name', 'firstName', 255],
  ['middle_name', 'middleName', 255],
  ['family_name', 'lastName', 255],
];

/** The user name a login maps to, normalised like EspoCRM. */
export function userNameFromClaims(claims: OidcClaims, usernameClaim: string): string {
  const raw = claimAt(claims, usernameClaim);
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || text.trim() === '')
    throw new AuthError(
      'username_claim_missing',
      `The IdP sent no "${usernameClaim}" claim to take the user name from; check the username claim setting and the scopes.`,
    );
  const userName = normalizeUserName(text);
  if (userName.length > MAX_USER_NAME_LENGTH)
    throw new AuthError(
      'username_too_long',
      `The user name from "${usernameClaim}" is longer than ${MAX_USER_NAME_LENGTH} characters.`,
    );
  return userName;
}

export interface ProvisionedUser {
  user: UserEntity;
  created: boolean;
}

/** Finds or creates the user of an OIDC login, syncs the profile and the teams, in one transaction. */
@Injectable()
export class OidcProvisioningService {
  private readonly logger = new Logger('OidcProvisioning');
  /** One scrypt hash per new user name at a time (concurrent first logins share it). */
  private readonly hashing = new Map<string, Promise<string>>();

  constructor(private readonly dataSource: DataSource) {}

  async provision(
    claims: OidcClaims & { iss: string; sub: string },
    settings: AuthSettings,
  ): Promise<ProvisionedUser> {
    const { oidc } = settings;
    const userName = userNameFromClaims(claims, oidc.usernameClaim);
    const mappedTeamIds = this.mappedTeams(claims, settings);
    const existing = await this.findByUserName(userName);
    if (!existing && !oidc.createUser)
      throw new AuthError(
        'user_not_found',
        `No user "${userName}" exists and creating users on sign-in is off.`,
      );
    // An existing user whose row would not change and whose teams are not synced needs no
    // transaction: the same refusals, on the row just read (most logins take this path).
    if (existing && !(mappedTeamIds !== undefined && oidc.syncTeams)) {
      this.refuseIfBarred(existing, userName, oidc);
      if (this.changesOf(existing, claims, oidc.sync).changed.length === 0)
        return { user: existing, created: false };
    }
    const passwordHash = existing ? undefined : await this.sharedHash(userName);

    return this.dataSource.transaction(async (manager) => {
      const users = manager.getRepository(UserEntity);
      let created = false;
      if (!existing) {
        // ON CONFLICT DO NOTHING then re-read: concurrent first logins create exactly one user.
        const inserted = await users
          .createQueryBuilder()
          .insert()
          .values({
            userName,
            passwordHash,
            isAdmin: false,
            isActive: true,
            ...this.profile(claims),
          })
          .orIgnore()
          .execute();
        created = Array.isArray(inserted.raw) && inserted.raw.length > 0;
      }
      const user = await users.findOne({
        where: { userName },
        lock: { mode: 'pessimistic_write' },
      });
      if (!user)
        throw new AuthError('user_not_found', `The user "${userName}" disappeared during sign-in.`);
      // Every refusal comes before any change to the user.
      this.refuseIfBarred(user, userName, oidc);
      const { changes, changed } = this.changesOf(user, claims, oidc.sync || created);
      // update only what differs (save() would re-read the row first): most logins change nothing.
      if (changed.length) {
        await users.update({ id: user.id }, changes);
        Object.assign(user, changes);
      }
      if (mappedTeamIds !== undefined && (created || oidc.syncTeams))
        await this.syncTeams(manager, user.id, mappedTeamIds);
      return { user, created };
    });
  }

  /** The user row by name as one prepared statement (every OIDC login runs it). */
  private async findByUserName(userName: string): Promise<UserEntity | null> {
    const rows = await preparedQuery<Record<string, unknown>>(
      this.dataSource,
      'auth_user_by_name',
      `SELECT id, user_name, password_hash, is_admin, is_active, email_address, phone_number,
              first_name, middle_name, last_name, idp_issuer, idp_subject, created_at, updated_at
         FROM auth_user WHERE user_name = $1`,
      [userName],
    );
    const row = rows[0];
    if (!row) return null;
    return this.dataSource.getRepository(UserEntity).create({
      id: row.id as string,
      userName: row.user_name as string,
      passwordHash: row.password_hash as string,
      isAdmin: row.is_admin as boolean,
      isActive: row.is_active as boolean,
      emailAddress: row.email_address as string | null,
      phoneNumber: row.phone_number as string | null,
      firstName: row.first_name as string | null,
      middleName: row.middle_name as string | null,
      lastName: row.last_name as string | null,
      idpIssuer: row.idp_issuer as string | null,
      idpSubject: row.idp_subject as string | null,
      createdAt: row.created_at as Date,
      updatedAt: row.updated_at as Date,
    });
  }

  private refuseIfBarred(user: UserEntity, userName: string, oidc: AuthSettings['oidc']): void {
    if (!user.isActive)
      throw new AuthError('user_inactive', `The user "${userName}" is deactivated.`);
    if (user.isAdmin && !oidc.allowAdminUser)
      throw new AuthError(
        'admin_oidc_disabled',
        `"${userName}" is an administrator and OIDC sign-in of administrators is off (allowAdminUser).`,
      );
  }

  /** The fields a login writes, and those of them that differ from the stored row. */
  private changesOf(
    user: UserEntity,
    claims: OidcClaims & { iss: string; sub: string },
    withProfile: boolean,
  ): { changes: Partial<UserEntity>; changed: (keyof UserEntity)[] } {
    const changes: Partial<UserEntity> = {
      ...(withProfile ? this.profile(claims) : {}),
      idpIssuer: claims.iss,
      idpSubject: claims.sub,
    };
    const changed = (Object.keys(changes) as (keyof UserEntity)[]).filter(
      (field) => user[field] !== changes[field],
    );
    return { changes, changed };
  }

  /** Team ids the login maps to; `undefined` when the group claim is absent (change nothing). */
  private mappedTeams(claims: OidcClaims, settings: AuthSettings): string[] | undefined {
    const { groupClaim, teamMapping } = settings.oidc;
    let groups: string[] = [];
    if (groupClaim) {
      const value = claimAt(claims, groupClaim);
      if (value === undefined || value === null) {
        this.logger.warn(
          `The IdP sent no "${groupClaim}" group claim; team memberships are left as they are.`,
        );
        return undefined;
      }
      groups = groupValues(value);
    }
    const ids = teamMapping
      .filter((row) => row.group === '' || groups.includes(row.group))
      .map((row) => row.teamId);
    return [...new Set(ids)];
  }

  private profile(claims: OidcClaims): Partial<Pick<UserEntity, ProfileField>> {
    const fields: Partial<Pick<UserEntity, ProfileField>> = {};
    for (const [claim, field, maxLength] of PROFILE_CLAIMS) {
      const value = claims[claim];
      // An absent claim leaves the field as it is.
      if (value === undefined) continue;
      if (value === null || value === '') fields[field] = null;
      else if (typeof value === 'string' && value.length <= maxLength) fields[field] = value;
      else
        this.logger.warn(
          `Claim "${claim}" is not a string of at most ${maxLength} characters; ignored.`,
        );
    }
    return fields;
  }

  /** Adds mapped teams (source oidc) and removes only oidc-added memberships no longer mapped. */
  private async syncTeams(
    manager: EntityManager,
    userId: string,
    teamIds: string[],
  ): Promise<void> {
    const memberships = manager.getRepository(TeamMembershipEntity);
    const current = await memberships.find({ where: { userId } });
    const existingTeams = teamIds.length
      ? new Set(
          (
            await manager
              .getRepository(TeamEntity)
              .find({ where: { id: In(teamIds) }, select: { id: true } })
          ).map((team) => team.id),
        )
      : new Set<string>();
    const wanted = teamIds.filter((id) => existingTeams.has(id));
    const have = new Set(current.map((m) => m.teamId));
    const toAdd = wanted.filter((id) => !have.has(id));
    if (toAdd.length)
      await memberships
        .createQueryBuilder()
        .insert()
        .values(toAdd.map((teamId) => ({ userId, teamId, source: 'oidc' as const })))
        .orIgnore()
        .execute();
    const toRemove = current
      .filter((m) => m.source === 'oidc' && !wanted.includes(m.teamId))
      .map((m) => m.teamId);
    if (toRemove.length) await memberships.delete({ userId, teamId: In(toRemove) });
  }

  private sharedHash(userName: string): Promise<string> {
    let pending = this.hashing.get(userName);
    if (!pending) {
      pending = unusablePasswordHash().finally(() => this.hashing.delete(userName));
      this.hashing.set(userName, pending);
    }
    return pending;
  }
}
