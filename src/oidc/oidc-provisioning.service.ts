import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import { unusablePasswordHash } from '../common/crypto.js';
import { isUniqueViolation } from '../common/db-errors.js';
import { preparedQuery } from '../database/prepared-query.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { isBlankUserName, MAX_USER_NAME_LENGTH, normalizeUserName } from '../users/user-name.js';
import { UserEntity } from '../users/user.entity.js';
import { type AccessDecision, checkAccess, isEmailVerified } from './access-policy.js';
import { claimAt, type GroupClaim, type OidcClaims, readGroupClaim } from './oidc-claims.js';

type ProfileField = 'emailAddress' | 'phoneNumber' | 'firstName' | 'middleName' | 'lastName';
type VerifiedClaims = OidcClaims & { iss: string; sub: string };

/** Claim → user field, with the column length (a longer value is skipped, not cut). */
const PROFILE_CLAIMS: [string, ProfileField, number][] = [
  ['email', 'emailAddress', 255],
  ['phone_number', 'phoneNumber', 64],
  ['given_name', 'firstName', 255],
  ['middle_name', 'middleName', 255],
  ['family_name', 'lastName', 255],
];

/** Identity rows are touched at most this often (saves a write on rapid repeated sign-ins). */
const LAST_SEEN_RESOLUTION_MS = 60_000;

/** The user name a login maps to, normalised like EspoCRM. */
export function userNameFromClaims(claims: OidcClaims, usernameClaim: string): string {
  const raw = claimAt(claims, usernameClaim);
  const text = typeof raw === 'number' ? String(raw) : raw;
  if (typeof text !== 'string' || text === '')
    throw new AuthError(
      'username_claim_missing',
      `The IdP sent no "${usernameClaim}" claim to take the user name from; check the username claim setting and the scopes.`,
    );
  const userName = normalizeUserName(text);
  // A name of only `_` would merge every user whose claim has no ASCII letter or digit.
  if (isBlankUserName(userName))
    throw new AuthError(
      'username_claim_missing',
      `The "${usernameClaim}" claim gives no usable user name (nothing but characters outside a-z, 0-9, - @ _ .).`,
    );
  if (userName.length > MAX_USER_NAME_LENGTH)
    throw new AuthError(
      'username_too_long',
      `The user name from "${usernameClaim}" is longer than ${MAX_USER_NAME_LENGTH} characters.`,
    );
  return userName;
}

/** What a sign-in would do to the user; `plan()` answers it without changing anything. */
export interface ProvisioningPlan {
  /** Normalised user name from the claim. */
  userName: string;
  /** `existing`: the identity is already bound; `link`: binds it to an existing user. */
  action: 'existing' | 'link' | 'create';
  /** Null when action is `create`. */
  userId: string | null;
  linkedBy: 'identity' | 'userName' | 'verifiedEmail' | null;
  /** User fields that change (`userName` too when the claim renamed a bound user). */
  profileChanges: Record<string, { from: string | null; to: string | null }>;
  /** Team ids. */
  teamsAdded: string[];
  teamsRemoved: string[];
  /** Resulting admin role. */
  isAdmin: boolean;
  /** Null when the IdP does not manage the admin role (no adminGroups). */
  adminChange: 'granted' | 'removed' | 'kept' | 'kept_last_admin' | null;
  /** Reason codes: `groups_missing`, `groups_overage`, `groups_invalid`, `last_admin_kept`. */
  warnings: string[];
}

export interface ProvisionedUser {
  user: UserEntity;
  created: boolean;
  plan: ProvisioningPlan;
}

/** A plan with the rows it was made from, so `provision()` applies exactly that. */
interface Decision {
  plan: ProvisioningPlan;
  user: UserEntity | null;
  identity: { id: string; adminGranted: boolean; lastSeenAt: Date } | null;
  /** New values of the changed user fields. */
  changes: Partial<UserEntity>;
  /** Profile of a user to create. */
  profile: Partial<Pick<UserEntity, ProfileField>>;
}

type Query = <T>(name: string, text: string, values: unknown[]) => Promise<T[]>;

interface Row {
  id: string;
  user_name: string;
  is_admin: boolean;
  is_active: boolean;
  email_address: string | null;
  phone_number: string | null;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  created_at: Date;
  updated_at: Date;
  identity_id: string | null;
  identity_subject: string | null;
  admin_granted: boolean | null;
  last_seen_at: Date | null;
}

const USER_COLUMNS = `u.id, u.user_name, u.is_admin, u.is_active, u.email_address, u.phone_number,
  u.first_name, u.middle_name, u.last_name, u.created_at, u.updated_at,
  i.id AS identity_id, i.subject AS identity_subject, i.admin_granted, i.last_seen_at`;

/**
 * Resolves the user of an OIDC sign-in through its `(issuer, subject)` identity: binds or
 * creates it as the settings allow, syncs profile, teams and admin role. `plan()` decides
 * (reads only); `provision()` applies the same decision in one transaction.
 */
@Injectable()
export class OidcProvisioningService {
  private readonly logger = new Logger('OidcProvisioning');
  /** One scrypt hash per new user name at a time (concurrent first logins share it). */
  private readonly hashing = new Map<string, Promise<string>>();

  constructor(private readonly dataSource: DataSource) {}

  /** Reads only; throws AuthError (identity_conflict, user_not_found, group_not_allowed, ...) on refusal. */
  async plan(
    claims: VerifiedClaims,
    settings: AuthSettings,
    manager?: EntityManager,
  ): Promise<ProvisioningPlan> {
    return (await this.decide(claims, settings, this.reader(manager), false)).plan;
  }

  /** Applies a plan made in the same transaction (row locks), answers the user. */
  async provision(claims: VerifiedClaims, settings: AuthSettings): Promise<ProvisionedUser> {
    const first = await this.decide(claims, settings, this.reader(), false);
    // A bound identity whose user would not change needs no transaction (most sign-ins).
    if (first.plan.action === 'existing' && first.user && !this.writes(first)) {
      if (Date.now() - (first.identity?.lastSeenAt.getTime() ?? 0) > LAST_SEEN_RESOLUTION_MS)
        await preparedQuery(
          this.dataSource,
          'auth_identity_seen',
          'UPDATE auth_identity SET last_seen_at = now() WHERE id = $1',
          [first.identity?.id],
        );
      this.warn(first.plan, claims);
      return { user: first.user, created: false, plan: first.plan };
    }
    const passwordHash =
      first.plan.action === 'create' ? await this.sharedHash(first.plan.userName) : undefined;
    const result = await this.dataSource.transaction((manager) =>
      this.apply(manager, claims, settings, passwordHash),
    );
    this.warn(result.plan, claims);
    return result;
  }

  private async apply(
    manager: EntityManager,
    claims: VerifiedClaims,
    settings: AuthSettings,
    passwordHash: string | undefined,
  ): Promise<ProvisionedUser> {
    const query = this.reader(manager);
    // A concurrent sign-in may create the user or bind the identity between our read and our
    // insert (ON CONFLICT DO NOTHING waits for it): decide again on what it committed.
    for (let attempt = 0; attempt < 3; attempt++) {
      const decision = await this.decide(claims, settings, query, true);
      const { plan } = decision;
      let user = decision.user;
      let created = false;
      if (plan.action === 'create') {
        const hash = passwordHash ?? (await this.sharedHash(plan.userName));
        const inserted = await manager.query<{ id: string }[]>(
          `INSERT INTO auth_user (user_name, password_hash, is_admin, is_active, email_address,
             phone_number, first_name, middle_name, last_name)
           VALUES ($1, $2, $3, true, $4, $5, $6, $7, $8)
           ON CONFLICT (user_name) DO NOTHING RETURNING id`,
          [
            plan.userName,
            hash,
            plan.isAdmin,
            decision.profile.emailAddress ?? null,
            decision.profile.phoneNumber ?? null,
            decision.profile.firstName ?? null,
            decision.profile.middleName ?? null,
            decision.profile.lastName ?? null,
          ],
        );
        if (!inserted.length) continue;
        user = await manager.getRepository(UserEntity).findOneByOrFail({ id: inserted[0].id });
        created = true;
      }
      if (!user) throw new AuthError('user_not_found', 'The user disappeared during sign-in.');
      if (plan.action !== 'existing') {
        const bound = await manager.query<{ id: string }[]>(
          `INSERT INTO auth_identity (issuer, subject, user_id, admin_granted)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
          [claims.iss, claims.sub, user.id, plan.adminChange === 'granted'],
        );
        if (!bound.length) {
          if (created)
            throw new AuthError(
              'identity_conflict',
              `This IdP account is already bound to another user than "${plan.userName}".`,
            );
          continue;
        }
        if (plan.action === 'link' && user.isAdmin)
          this.logger.warn(
            `Bound the administrator account "${user.userName}" to the IdP subject ${JSON.stringify(claims.sub)} of ${claims.iss} by ${plan.linkedBy} (allowAdminUser is on).`,
          );
      } else if (decision.identity) {
        const adminGranted =
          plan.adminChange === 'granted'
            ? true
            : plan.adminChange === 'removed'
              ? false
              : decision.identity.adminGranted;
        await manager.query(
          'UPDATE auth_identity SET last_seen_at = now(), admin_granted = $2 WHERE id = $1',
          [decision.identity.id, adminGranted],
        );
      }
      if (!created && Object.keys(decision.changes).length) {
        try {
          await manager.getRepository(UserEntity).update({ id: user.id }, decision.changes);
        } catch (error) {
          if (isUniqueViolation(error))
            throw new AuthError(
              'identity_conflict',
              `The user name "${plan.userName}" the IdP now sends is taken by another user.`,
              { cause: error },
            );
          throw error;
        }
        Object.assign(user, decision.changes);
      }
      await this.applyTeams(manager, user.id, plan, settings.providerId);
      return { user, created, plan: { ...plan, userId: user.id } };
    }
    throw new AuthError(
      'service_unavailable',
      'Concurrent sign-ins kept changing this user; try again.',
    );
  }

  /** The whole decision, on rows read through `query` (locked when `lock`). */
  private async decide(
    claims: VerifiedClaims,
    settings: AuthSettings,
    query: Query,
    lock: boolean,
  ): Promise<Decision> {
    const { oidc } = settings;
    const userName = userNameFromClaims(claims, oidc.usernameClaim);
    const groups = readGroupClaim(claims, oidc.groupClaim);
    // Access policy first: a refused user is neither created nor changed.
    this.refuse(checkAccess(claims, groups, oidc));

    const forUpdate = lock ? 'FOR UPDATE OF u' : '';
    let row = (
      await query<Row>(
        lock ? 'auth_user_by_identity_locked' : 'auth_user_by_identity',
        `SELECT ${USER_COLUMNS} FROM auth_identity i JOIN auth_user u ON u.id = i.user_id
          WHERE i.issuer = $1 AND i.subject = $2 ${lock ? 'FOR UPDATE OF u, i' : ''}`,
        [claims.iss, claims.sub],
      )
    )[0];
    let action: ProvisioningPlan['action'] = 'existing';
    let linkedBy: ProvisioningPlan['linkedBy'] = 'identity';
    if (!row) {
      row = (
        await query<Row>(
          lock ? 'auth_user_by_name_locked' : 'auth_user_by_name',
          `SELECT ${USER_COLUMNS} FROM auth_user u
             LEFT JOIN auth_identity i ON i.user_id = u.id AND i.issuer = $2
            WHERE u.user_name = $1 ${forUpdate}`,
          [userName, claims.iss],
        )
      )[0];
      if (row && row.identity_subject !== null && row.identity_subject !== claims.sub)
        throw new AuthError(
          'identity_conflict',
          `The user "${userName}" is bound to another account of this IdP; this one may not sign in as it.`,
        );
      if (row && row.identity_subject === null) {
        action = 'link';
        linkedBy = this.linkBy(row, userName, claims, settings);
      }
      if (!row) {
        if (!oidc.createUser)
          throw new AuthError(
            'user_not_found',
            `No user "${userName}" exists and creating users on sign-in is off.`,
          );
        action = 'create';
        linkedBy = null;
      }
    }
    const user = row ? this.toUser(row) : null;
    if (user) this.refuseIfBarred(user, oidc);

    const created = action === 'create';
    const profile = this.profile(claims);
    const changes: Partial<UserEntity> = {};
    const profileChanges: ProvisioningPlan['profileChanges'] = {};
    const note = <K extends keyof UserEntity>(field: K, to: UserEntity[K] & (string | null)) => {
      const from = (user?.[field] ?? null) as string | null;
      if (from === to) return;
      changes[field] = to;
      profileChanges[field] = { from, to };
    };
    if (user && user.userName !== userName) {
      // The bound identity keeps its user; the user name follows the claim when it is free.
      const taken = await query<{ id: string }>(
        'auth_user_name_taken',
        'SELECT id FROM auth_user WHERE user_name = $1',
        [userName],
      );
      if (taken.length)
        throw new AuthError(
          'identity_conflict',
          `The IdP now sends the user name "${userName}" for "${user.userName}", but another user has it.`,
        );
      note('userName', userName);
    }
    if (created || oidc.sync)
      for (const [field, value] of Object.entries(profile) as [ProfileField, string | null][])
        note(field, value);

    const admin = await this.adminRole(user, row, groups, settings, query, lock);
    if (user && admin.isAdmin !== user.isAdmin) changes.isAdmin = admin.isAdmin;
    const teams = await this.teamChanges(user, groups, created, settings, query);
    const warnings: string[] = [];
    if (oidc.groupClaim && groups.status !== 'ok') warnings.push(`groups_${groups.status}`);
    if (admin.adminChange === 'kept_last_admin') warnings.push('last_admin_kept');

    return {
      plan: {
        userName,
        action,
        userId: user?.id ?? null,
        linkedBy,
        profileChanges,
        teamsAdded: teams.added,
        teamsRemoved: teams.removed,
        isAdmin: admin.isAdmin,
        adminChange: admin.adminChange,
        warnings,
      },
      user,
      identity:
        row?.identity_id && action === 'existing'
          ? {
              id: row.identity_id,
              adminGranted: !!row.admin_granted,
              lastSeenAt: row.last_seen_at ?? new Date(0),
            }
          : null,
      changes,
      profile,
    };
  }

  /** Whether an existing user may be bound by this first sign-in; answers how, or refuses. */
  private linkBy(
    row: Row,
    userName: string,
    claims: VerifiedClaims,
    settings: AuthSettings,
  ): 'userName' | 'verifiedEmail' {
    const policy = settings.oidc.linkExistingUsers;
    if (policy === 'never')
      throw new AuthError(
        'identity_conflict',
        `A user "${userName}" exists but is not bound to this IdP, and linking existing users is off; an administrator can link it.`,
      );
    if (policy === 'verifiedEmail') {
      const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : null;
      const own = row.email_address?.toLowerCase() ?? null;
      if (!isEmailVerified(claims) || !email || email !== own)
        throw new AuthError(
          'identity_conflict',
          `A user "${userName}" exists; it is bound on first sign-in only with a verified email equal to its own.`,
        );
      return 'verifiedEmail';
    }
    return 'userName';
  }

  /** The admin role after this sign-in (adminGroups); never removes the last active admin. */
  private async adminRole(
    user: UserEntity | null,
    row: Row | undefined,
    groups: GroupClaim,
    settings: AuthSettings,
    query: Query,
    lock: boolean,
  ): Promise<Pick<ProvisioningPlan, 'isAdmin' | 'adminChange'>> {
    const { oidc } = settings;
    const current = user?.isAdmin ?? false;
    if (!oidc.adminGroups.length || !oidc.allowAdminUser)
      return { isAdmin: current, adminChange: null };
    if (groups.groups === null) return { isAdmin: current, adminChange: 'kept' };
    const member = groups.groups.some((group) => oidc.adminGroups.includes(group));
    if (member) return { isAdmin: true, adminChange: current ? 'kept' : 'granted' };
    if (!current || !user) return { isAdmin: false, adminChange: 'kept' };
    // `manual`: only a role the IdP itself granted is the IdP's to take away.
    const idpOwned = oidc.adminRoleSource === 'idp' || (!!row?.identity_id && !!row.admin_granted);
    if (!idpOwned) return { isAdmin: true, adminChange: 'kept' };
    // Locks every active admin row, so two sign-ins cannot demote the last two admins at once.
    const admins = await query<{ id: string }>(
      lock ? 'auth_active_admins_locked' : 'auth_active_admins',
      `SELECT id FROM auth_user WHERE is_admin AND is_active ${lock ? 'FOR UPDATE' : ''}`,
      [],
    );
    if (!user.isActive || admins.some((admin) => admin.id !== user.id))
      return { isAdmin: false, adminChange: 'removed' };
    return { isAdmin: true, adminChange: 'kept_last_admin' };
  }

  /** Teams to add (mapped, source oidc) and remove (only oidc-added ones no longer mapped). */
  private async teamChanges(
    user: UserEntity | null,
    groups: GroupClaim,
    created: boolean,
    settings: AuthSettings,
    query: Query,
  ): Promise<{ added: string[]; removed: string[] }> {
    const { teamMapping, syncTeams } = settings.oidc;
    const none = { added: [], removed: [] };
    if (!created && !syncTeams) return none;
    // Without a usable group claim: a new user still gets the always-assigned teams; an
    // existing user keeps its memberships.
    if (groups.groups === null && !created) return none;
    const known = groups.groups ?? [];
    const wanted = [
      ...new Set(
        teamMapping
          .filter((row) => row.group === '' || known.includes(row.group))
          .map((row) => row.teamId),
      ),
    ];
    const current =
      user && !created
        ? await query<{ team_id: string; source: string; provider_id: string | null }>(
            'auth_memberships_of_user_by_provider',
            'SELECT team_id, source, provider_id FROM auth_team_membership WHERE user_id = $1',
            [user.id],
          )
        : [];
    const have = new Set(current.map((row) => row.team_id));
    let added = wanted.filter((id) => !have.has(id));
    if (added.length) {
      const existing = await query<{ id: string }>(
        'auth_teams_existing',
        'SELECT id FROM auth_team WHERE id = ANY($1::uuid[])',
        [added],
      );
      const ids = new Set(existing.map((row) => row.id));
      added = added.filter((id) => ids.has(id));
    }
    const removed = current
      // Only what this provider's sync added: a sign-in through A never removes B's teams.
      .filter(
        (row) =>
          row.source === 'oidc' &&
          (row.provider_id ?? 'default') === (settings.providerId ?? 'default') &&
          !wanted.includes(row.team_id),
      )
      .map((row) => row.team_id);
    return { added, removed };
  }

  private async applyTeams(
    manager: EntityManager,
    userId: string,
    plan: ProvisioningPlan,
    providerId: string | undefined,
  ): Promise<void> {
    // NULL is the provider `default`, as in every membership written before providers existed.
    const provider = providerId && providerId !== 'default' ? providerId : null;
    if (plan.teamsAdded.length)
      await manager.query(
        `INSERT INTO auth_team_membership (user_id, team_id, source, provider_id)
         SELECT $1, unnest($2::uuid[]), 'oidc', $3 ON CONFLICT DO NOTHING`,
        [userId, plan.teamsAdded, provider],
      );
    if (plan.teamsRemoved.length)
      await manager.query(
        `DELETE FROM auth_team_membership
          WHERE user_id = $1 AND team_id = ANY($2::uuid[]) AND source = 'oidc'
            AND COALESCE(provider_id, 'default') = COALESCE($3::varchar, 'default')`,
        [userId, plan.teamsRemoved, provider],
      );
  }

  private refuse(decision: AccessDecision): void {
    if (decision.allowed) return;
    throw new AuthError(decision.code, decision.message);
  }

  private refuseIfBarred(user: UserEntity, oidc: AuthSettings['oidc']): void {
    if (!user.isActive)
      throw new AuthError('user_inactive', `The user "${user.userName}" is deactivated.`);
    if (user.isAdmin && !oidc.allowAdminUser)
      throw new AuthError(
        'admin_oidc_disabled',
        `"${user.userName}" is an administrator and OIDC sign-in of administrators is off (allowAdminUser).`,
      );
  }

  private writes(decision: Decision): boolean {
    const { plan } = decision;
    return (
      Object.keys(decision.changes).length > 0 ||
      plan.teamsAdded.length > 0 ||
      plan.teamsRemoved.length > 0 ||
      plan.adminChange === 'granted' ||
      plan.adminChange === 'removed'
    );
  }

  private warn(plan: ProvisioningPlan, claims: VerifiedClaims): void {
    for (const code of plan.warnings)
      this.logger.warn(`Sign-in of "${plan.userName}": ${code}: ${warningText(code, claims)}`);
  }

  private reader(manager?: EntityManager): Query {
    if (manager)
      return <T>(_name: string, text: string, values: unknown[]) =>
        manager.query<T[]>(text, values);
    return <T>(name: string, text: string, values: unknown[]) =>
      preparedQuery<T>(this.dataSource, name, text, values);
  }

  private toUser(row: Row): UserEntity {
    return this.dataSource.getRepository(UserEntity).create({
      id: row.id,
      userName: row.user_name,
      isAdmin: row.is_admin,
      isActive: row.is_active,
      emailAddress: row.email_address,
      phoneNumber: row.phone_number,
      firstName: row.first_name,
      middleName: row.middle_name,
      lastName: row.last_name,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    });
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

  private sharedHash(userName: string): Promise<string> {
    let pending = this.hashing.get(userName);
    if (!pending) {
      pending = unusablePasswordHash().finally(() => this.hashing.delete(userName));
      this.hashing.set(userName, pending);
    }
    return pending;
  }
}

/** The auth-log message of a sign-in with warnings; null without. */
export function warningsMessage(plan: ProvisioningPlan, claims: OidcClaims): string | null {
  if (!plan.warnings.length) return null;
  const parts = plan.warnings.map((code) => `${code}: ${warningText(code, claims)}`);
  return `Signed in with warnings: ${parts.join(' ')}`;
}

/** The admin-facing text of a warning code (also the auth-log message). */
export function warningText(code: string, claims: OidcClaims = {}): string {
  switch (code) {
    case 'groups_missing':
      return 'the IdP sent no group claim; team memberships are left as they are.';
    case 'groups_overage':
      return `the IdP sent an overage marker (${'hasgroups' in claims ? 'hasgroups' : '_claim_names'}) instead of the groups (too many groups for the token); team memberships and the admin role are left as they are. Filter the groups at the IdP (e.g. Entra ID "groups assigned to the application").`;
    case 'groups_invalid':
      return 'the group claim is neither a string nor a list; team memberships and the admin role are left as they are.';
    case 'last_admin_kept':
      return 'the IdP groups would remove the admin role of the last active administrator; it is kept.';
    default:
      return code;
  }
}
