import type { DataSource } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import type { OidcClaims } from '../oidc/oidc-claims.js';
import { claimAt, groupValues } from '../oidc/oidc-claims.js';
import {
  type OidcProvisioningService,
  userNameFromClaims,
} from '../oidc/oidc-provisioning.service.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { TeamMembershipEntity } from '../teams/team-membership.entity.js';
import { UserEntity } from '../users/user.entity.js';

// TEMPORARY adapter until OidcProvisioningService.plan() lands (helper "identity"): the shape
// is theirs; the preview below is replaced by a call to plan() when it exists.
export interface ProvisioningPlan {
  userName: string;
  action: 'existing' | 'link' | 'create';
  userId: string | null;
  linkedBy: 'identity' | 'userName' | 'verifiedEmail' | null;
  profileChanges: Record<string, { from: string | null; to: string | null }>;
  teamsAdded: string[];
  teamsRemoved: string[];
  isAdmin: boolean;
  adminChange: 'granted' | 'removed' | 'kept' | 'kept_last_admin' | null;
  warnings: string[];
}

type Planner = {
  plan?(
    claims: OidcClaims & { iss: string; sub: string },
    settings: AuthSettings,
  ): Promise<ProvisioningPlan>;
};

const PROFILE: [string, keyof UserEntity][] = [
  ['email', 'emailAddress'],
  ['phone_number', 'phoneNumber'],
  ['given_name', 'firstName'],
  ['middle_name', 'middleName'],
  ['family_name', 'lastName'],
];

/** What a real sign-in with these claims and settings would do; reads only. */
export async function planSignIn(
  provisioning: OidcProvisioningService,
  dataSource: DataSource,
  claims: OidcClaims & { iss: string; sub: string },
  settings: AuthSettings,
): Promise<ProvisioningPlan> {
  const planner = provisioning as unknown as Planner;
  if (typeof planner.plan === 'function') return planner.plan(claims, settings);
  const { oidc } = settings;
  const userName = userNameFromClaims(claims, oidc.usernameClaim);
  const user = await dataSource.getRepository(UserEntity).findOne({ where: { userName } });
  if (!user && !oidc.createUser)
    throw new AuthError(
      'user_not_found',
      `No user "${userName}" exists and creating users on sign-in is off.`,
    );
  if (user && !user.isActive)
    throw new AuthError('user_inactive', `The user "${userName}" is deactivated.`);
  if (user?.isAdmin && !oidc.allowAdminUser)
    throw new AuthError(
      'admin_oidc_disabled',
      `"${userName}" is an administrator and OIDC sign-in of administrators is off (allowAdminUser).`,
    );
  const profileChanges: ProvisioningPlan['profileChanges'] = {};
  if (!user || oidc.sync)
    for (const [claim, field] of PROFILE) {
      const value = claims[claim];
      if (value === undefined) continue;
      const to = typeof value === 'string' && value !== '' ? value : null;
      const from = (user?.[field] as string | null | undefined) ?? null;
      if (from !== to) profileChanges[field] = { from, to };
    }
  let teamsAdded: string[] = [];
  let teamsRemoved: string[] = [];
  const groups = oidc.groupClaim ? claimAt(claims, oidc.groupClaim) : [];
  if (groups !== undefined && groups !== null && (!user || oidc.syncTeams)) {
    const values = groupValues(groups);
    const wanted = [
      ...new Set(
        oidc.teamMapping
          .filter((r) => r.group === '' || values.includes(r.group))
          .map((r) => r.teamId),
      ),
    ];
    const current = user
      ? await dataSource.getRepository(TeamMembershipEntity).find({ where: { userId: user.id } })
      : [];
    const have = new Set(current.map((m) => m.teamId));
    teamsAdded = wanted.filter((id) => !have.has(id));
    teamsRemoved = current
      .filter((m) => m.source === 'oidc' && !wanted.includes(m.teamId))
      .map((m) => m.teamId);
  }
  return {
    userName,
    action: user ? 'existing' : 'create',
    userId: user?.id ?? null,
    linkedBy: user ? 'userName' : null,
    profileChanges,
    teamsAdded,
    teamsRemoved,
    isAdmin: user?.isAdmin ?? false,
    adminChange: null,
    warnings: groups === undefined || groups === null ? ['groups_missing'] : [],
  };
}
