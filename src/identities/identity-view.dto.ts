import { ApiProperty } from '../common/openapi.js';
import type { IdentityView } from './identity.view.js';

/** OpenAPI shape of an identity. */
export class IdentityViewDto implements IdentityView {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ description: 'IdP issuer (`iss`).' })
  issuer: string;
  @ApiProperty({ description: 'Subject at that IdP (`sub`).' })
  subject: string;
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
  @ApiProperty({ format: 'date-time', description: 'Last sign-in (to the minute).' })
  lastSeenAt: string;
}
