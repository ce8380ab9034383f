import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { AuthError } from '../common/auth-error.js';
import { sha256Hex } from '../common/crypto.js';
import type { StoredOidcSettings } from '../settings/auth-settings.types.js';
import { TestSignInEntity } from './test-sign-in.entity.js';
import type { TestSignInReport } from './test-sign-in.report.js';

/** A test sign-in is pending, then its report readable, this long. */
export const TEST_SIGN_IN_TTL_MS = 10 * 60 * 1000;
const PURGE_INTERVAL_MS = 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewTestSignIn {
  state: string;
  browserId: string;
  adminUserId: string;
  nonce: string;
  codeVerifier: string | null;
  settings: StoredOidcSettings;
  clientSecretEncrypted: string | null;
}

/** The test sign-in rows: single-use state, candidate settings, then the report. */
@Injectable()
export class TestSignInStore {
  private readonly logger = new Logger('TestSignIn');
  private lastPurge = 0;

  constructor(
    @InjectRepository(TestSignInEntity) private readonly rows: Repository<TestSignInEntity>,
  ) {}

  async create(input: NewTestSignIn): Promise<TestSignInEntity> {
    const now = Date.now();
    this.purgeOccasionally(now);
    const row = this.rows.create({
      stateHash: sha256Hex(input.state),
      browserHash: sha256Hex(input.browserId),
      adminUserId: input.adminUserId,
      nonce: input.nonce,
      codeVerifier: input.codeVerifier,
      settings: input.settings,
      clientSecretEncrypted: input.clientSecretEncrypted,
      status: 'pending',
      report: null,
      createdAt: new Date(now),
      expiresAt: new Date(now + TEST_SIGN_IN_TTL_MS),
    });
    return this.rows.save(row);
  }

  /**
   * Takes the pending test of `state` (single use: the state hash is cleared in the same
   * statement, so two callbacks cannot both run it). Answers null for an unknown state.
   */
  async consume(state: string): Promise<TestSignInEntity | null> {
    const result = await this.rows
      .createQueryBuilder()
      .update()
      .set({ stateHash: null, status: 'running' })
      .where('state_hash = :hash AND status = :pending', {
        hash: sha256Hex(state),
        pending: 'pending',
      })
      .returning('*')
      .execute();
    const raw = (result.raw as Record<string, unknown>[] | undefined)?.[0];
    if (!raw) return null;
    return this.rows.create({
      id: raw.id as string,
      browserHash: raw.browser_hash as string,
      adminUserId: raw.admin_user_id as string,
      nonce: raw.nonce as string,
      codeVerifier: (raw.code_verifier as string | null) ?? null,
      settings: raw.settings as StoredOidcSettings,
      clientSecretEncrypted: (raw.client_secret_encrypted as string | null) ?? null,
      status: 'running',
      createdAt: new Date(raw.created_at as string),
      expiresAt: new Date(raw.expires_at as string),
    });
  }

  /** Records the report; it stays readable for the TTL from now. */
  async finish(id: string, report: TestSignInReport): Promise<Date> {
    const expiresAt = new Date(Date.now() + TEST_SIGN_IN_TTL_MS);
    report.expiresAt = expiresAt.toISOString();
    // The candidate secret is not needed any more once the flow has run.
    await this.rows.save({ id, status: 'done', report, expiresAt, clientSecretEncrypted: null });
    return expiresAt;
  }

  /** The row of `id` when `adminUserId` started it and it has not expired; else not_found. */
  async findFor(id: string, adminUserId: string): Promise<TestSignInEntity> {
    const row = UUID.test(id)
      ? await this.rows.findOne({ where: { id: id.toLowerCase(), adminUserId } })
      : null;
    // Another admin's test answers like a missing one: its existence is not revealed.
    if (!row || row.expiresAt.getTime() <= Date.now())
      throw new AuthError('not_found', 'No such test sign-in (or it has expired).');
    return row;
  }

  private purgeOccasionally(now: number): void {
    if (now - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now;
    this.rows.delete({ expiresAt: LessThan(new Date(now)) }).catch((error: unknown) => {
      this.logger.warn(`Purging expired test sign-ins failed: ${String(error)}`);
    });
  }
}
