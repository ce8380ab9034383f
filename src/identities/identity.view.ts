import type { IdentityEntity } from './identity.entity.js';

/** An identity as the admin API shows it. */
export interface IdentityView {
  id: string;
  issuer: string;
  subject: string;
  createdAt: string;
  lastSeenAt: string;
}

export function toIdentityView(identity: IdentityEntity): IdentityView {
  return {
    id: identity.id,
    issuer: identity.issuer,
    subject: identity.subject,
    createdAt: identity.createdAt.toISOString(),
    lastSeenAt: identity.lastSeenAt.toISOString(),
  };
}
