import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { preparedQuery } from '../database/prepared-query.js';
import { AuthLogEntity } from './auth-log.entity.js';

/** Message of an attempt opened by `start` whose outcome is not written yet. */
export const PENDING_ATTEMPT_MESSAGE = 'Attempt in progress.';
/** A pending attempt older than this was cut off (e.g. by a database outage): not a failure. */
const PENDING_COUNTS_SECONDS = 60;

export interface AuthLogRecord {
  method: AuthLogEntity['method'];
  userName: string | null;
  ipAddress: string | null;
  success: boolean;
  /** Stable reason code; `ok` on success. */
  reason: string;
  /** Admin-facing message; never a token or secret. */
  message?: string | null;
}

export interface AuthLogView {
  id: string;
  createdAt: string;
  method: string;
  userName: string | null;
  ipAddress: string | null;
  success: boolean;
  reason: string;
  message: string | null;
}

@Injectable()
export class AuthLogService {
  private readonly logger = new Logger('AuthLog');
  /** Who an attempt opened by `start` is about, until `finish` logs its outcome. */
  private readonly pending = new Map<string, AuthLogRecord>();

  constructor(
    @InjectRepository(AuthLogEntity) private readonly repository: Repository<AuthLogEntity>,
  ) {}

  /** Records an attempt; a failure to write the log never fails the login itself. */
  async record(entry: AuthLogRecord): Promise<void> {
    this.announce(entry);
    try {
      // Prepared statement: written on every login and back-channel logout.
      await preparedQuery(
        this.repository.manager.connection,
        'auth_log_record',
        `INSERT INTO auth_log (method, user_name, ip_address, success, reason, message)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          entry.method,
          entry.userName?.slice(0, 255) ?? null,
          entry.ipAddress?.slice(0, 64) ?? null,
          entry.success,
          entry.reason.slice(0, 64),
          entry.message?.slice(0, 2000) ?? null,
        ],
      );
    } catch (error) {
      this.logger.warn(`Could not write the auth log: ${(error as Error).message}`);
    }
  }

  /**
   * Inserts an attempt before its outcome is known (counted as a failure meanwhile), so
   * concurrent attempts see each other when throttling; `finish` records the outcome.
   */
  async start(entry: AuthLogRecord): Promise<string> {
    const result = await this.repository.insert({
      method: entry.method,
      userName: entry.userName?.slice(0, 255) ?? null,
      ipAddress: entry.ipAddress?.slice(0, 64) ?? null,
      success: entry.success,
      reason: entry.reason.slice(0, 64),
      message: entry.message?.slice(0, 2000) ?? null,
    });
    const id = (result.identifiers[0] as { id: string }).id;
    this.rememberPending(id, entry);
    return id;
  }

  /** Records the outcome of an attempt opened with `start`. */
  async finish(
    id: string,
    outcome: Pick<AuthLogRecord, 'success' | 'reason' | 'message'>,
  ): Promise<void> {
    const started = this.pending.get(id);
    this.pending.delete(id);
    if (started) this.announce({ ...started, ...outcome });
    try {
      await this.repository.update(
        { id },
        {
          success: outcome.success,
          reason: outcome.reason.slice(0, 64),
          message: outcome.message?.slice(0, 2000) ?? null,
        },
      );
    } catch (error) {
      this.logger.warn(`Could not write the auth log: ${(error as Error).message}`);
    }
  }

  /**
   * When the `limit`-th most recent failed password attempt matching `by` (other than
   * `exceptId`) happened within the window: the time it did, else null.
   */
  async failedPasswordAttemptAt(
    by: { userName: string } | { ipAddress: string },
    limit: number,
    windowSeconds: number,
    exceptId: string,
  ): Promise<Date | null> {
    const column = 'userName' in by ? 'user_name' : 'ip_address';
    const value = 'userName' in by ? by.userName : by.ipAddress;
    // Matches the partial indexes of migration LoginThrottleIndexes (method, reason, column, created_at).
    const rows: { created_at: Date }[] = await this.repository.query(
      `SELECT created_at FROM auth_log
        WHERE method = 'password' AND reason = 'invalid_credentials' AND ${column} = $1
          AND created_at > now() - make_interval(secs => $2) AND id <> $3
          AND (message IS DISTINCT FROM $5 OR created_at > now() - make_interval(secs => $6))
        ORDER BY created_at DESC OFFSET $4 LIMIT 1`,
      [value, windowSeconds, exceptId, limit - 1, PENDING_ATTEMPT_MESSAGE, PENDING_COUNTS_SECONDS],
    );
    return rows[0]?.created_at ?? null;
  }

  async list(limit = 200): Promise<AuthLogView[]> {
    const rows = await this.repository.find({
      order: { createdAt: 'DESC', id: 'DESC' },
      take: Math.min(Math.max(limit, 1), 1000),
    });
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.createdAt.toISOString(),
      method: row.method,
      userName: row.userName,
      ipAddress: row.ipAddress,
      success: row.success,
      reason: row.reason,
      message: row.message,
    }));
  }

  /**
   * One server-log line per recorded outcome, at the default level, so operators see sign-ins,
   * refusals, logouts and throttling without the admin page (DESIGN 2.9: never a token or secret).
   */
  /** The server-log line of an entry (for entries written by another statement, e.g. with a session). */
  announce(entry: AuthLogRecord): void {
    // A test sign-in never signed anyone in: its line must not read like one.
    const outcome =
      entry.method === 'oidc_test'
        ? entry.success
          ? 'test passed'
          : 'test refused'
        : entry.success
          ? entry.method === 'logout' || entry.method === 'backchannel'
            ? 'signed out'
            : 'signed in'
          : 'refused';
    // JSON.stringify quotes and escapes IdP-supplied text, so a claim cannot forge a log line.
    const user = entry.userName === null ? '-' : JSON.stringify(entry.userName.slice(0, 255));
    const line = `${entry.method} ${outcome}: reason=${entry.reason} user=${user} ip=${entry.ipAddress ?? '-'}`;
    const detail = entry.message
      ? ` (${JSON.stringify(entry.message.slice(0, 300)).slice(1, -1)})`
      : '';
    if (entry.success) this.logger.log(line + detail);
    else this.logger.warn(line + detail);
  }

  private rememberPending(id: string, entry: AuthLogRecord): void {
    // Bounded: an attempt whose outcome is never written must not grow the map forever.
    if (this.pending.size >= 10_000) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(id, entry);
  }
}
