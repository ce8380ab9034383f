import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import { isUniqueViolation } from '../common/db-errors.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UserEntity } from '../users/user.entity.js';
import { IdentityEntity } from './identity.entity.js';
import { type IdentityView, toIdentityView } from './identity.view.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The OIDC identities of users, as administrators list, link and remove them. */
@Injectable()
export class IdentitiesService {
  private readonly logger = new Logger('Identities');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
  ) {}

  async list(userId: string): Promise<IdentityView[]> {
    await this.requireUser(userId);
    const rows = await this.dataSource
      .getRepository(IdentityEntity)
      .find({ where: { userId }, order: { createdAt: 'ASC' } });
    return rows.map(toIdentityView);
  }

  /** Binds `(issuer, subject)` to the user: 409 when it is bound, or the user has one of that issuer. */
  async link(userId: string, issuer: string, subject: string): Promise<IdentityView> {
    const user = await this.requireUser(userId);
    const repository = this.dataSource.getRepository(IdentityEntity);
    try {
      const saved = await repository.save(repository.create({ userId, issuer, subject }));
      this.logger.log(`Administrator linked "${user.userName}" to a subject of ${issuer}.`);
      return toIdentityView(await repository.findOneByOrFail({ id: saved.id }));
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AuthError(
          'conflict',
          'That identity is bound already, or the user has an identity of that issuer (remove it first).',
          { cause: error },
        );
      throw error;
    }
  }

  /**
   * Removes one identity and ends the user's sessions from it; the next sign-in of that
   * subject is a first sign-in again.
   */
  async remove(userId: string, identityId: string): Promise<void> {
    if (!UUID.test(userId) || !UUID.test(identityId))
      throw new AuthError('not_found', 'No such identity.');
    const repository = this.dataSource.getRepository(IdentityEntity);
    const identity = await repository.findOneBy({ id: identityId, userId });
    if (!identity) throw new AuthError('not_found', 'No such identity.');
    await repository.delete({ id: identityId, userId });
    const ended = await this.sessions.revokeIdpSessions(identity.issuer, {
      subject: identity.subject,
    });
    this.logger.log(
      `Administrator removed an identity of user ${userId} (${ended.length} session(s) ended).`,
    );
  }

  private async requireUser(userId: string): Promise<UserEntity> {
    const user = UUID.test(userId)
      ? await this.dataSource
          .getRepository(UserEntity)
          .findOne({ where: { id: userId }, select: { id: true, userName: true } })
      : null;
    if (!user) throw new AuthError('not_found', 'No such user.');
    return user;
  }
}
