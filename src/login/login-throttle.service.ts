import { Injectable } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import {
  AuthLogService,
  type CountedFailure,
  limitReachedAt,
} from '../auth-log/auth-log.service.js';
import type { AuthLogEntity } from '../auth-log/auth-log.entity.js';
import { AuthError } from '../common/auth-error.js';

/**
 * Refusals after which no count is taken: those `AuthLogService.addressRefusals` leaves out, and
 * a database outage (not the client's doing, and the count could not be read anyway).
 */
const UNCOUNTED_REFUSALS = new Set([
  'too_many_attempts',
  'logout_token_replayed',
  'service_unavailable',
]);

/** Who is asking, as far as the throttle can tell. */
export interface PasswordAttempt {
  userName: string;
  ipAddress: string;
  /** The caller's own pending log row (left out of the counts). */
  attemptId: string;
  /** Id of a valid trusted-device cookie for this very user name, when the browser sent one. */
  deviceId?: string;
}

/**
 * Throttles password guessing without letting anyone lock a user out (counts in the auth log
 * in Postgres, so every instance shares them). In order:
 * 1. per address: `perAddress` failures in the window refuse everyone from that address;
 * 2. a trusted device (a browser that signed in as this user before) is then let through,
 *    unless that device cookie itself has `perUserName` failures (a stolen cookie);
 * 3. per user name: after `perUserName` failures, an untrusted client is let through only
 *    from an address with no failure for this user name in the window (one guess per fresh
 *    address, then it is dirty); after `perUserNameMax` failures, untrusted clients wait.
 */
@Injectable()
export class LoginThrottleService {
  /** Addresses known to be refused until a time: a flood is answered without a database read. */
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    private readonly authLog: AuthLogService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  /** Seconds until another attempt is allowed, or 0 when allowed now. */
  async retryAfterSeconds(attempt: PasswordAttempt): Promise<number> {
    const { perUserName, perUserNameMax, perAddress, windowSeconds } = this.options.throttle;
    const [byUser, byAddress] = await Promise.all([
      this.authLog.passwordFailures(
        { userName: attempt.userName },
        windowSeconds,
        attempt.attemptId,
      ),
      this.authLog.passwordFailures(
        { ipAddress: attempt.ipAddress },
        windowSeconds,
        attempt.attemptId,
      ),
    ]);
    const addressLimit = limitReachedAt(byAddress, perAddress);
    if (addressLimit) return this.until(addressLimit);

    if (attempt.deviceId !== undefined) {
      const byDevice = byUser.filter((failure) => failure.deviceId === attempt.deviceId);
      if (!limitReachedAt(byDevice, perUserName)) return 0;
    }

    const userLimit = limitReachedAt(byUser, perUserName);
    if (!userLimit) return 0;
    const userMax = limitReachedAt(byUser, perUserNameMax);
    if (userMax) return this.until(userMax);
    const fromHere = byUser.filter((failure) => failure.ipAddress === attempt.ipAddress);
    if (fromHere.length === 0) return 0;
    // Free again when this address is clean for the user name, or the user name is below the limit.
    return Math.min(this.until(fromHere[0].at), this.until(userLimit));
  }

  /**
   * Refuses with `too_many_attempts` while an address is over its limit of refusals of
   * `method` (OIDC callback, back-channel logout). Answered from memory: a request that will be
   * let through pays nothing; the count is taken after each refusal (`countRefusal`).
   */
  checkAddress(method: AuthLogEntity['method'], ipAddress: string): void {
    const key = `${method} ${ipAddress}`;
    const until = this.refusedUntil.get(key);
    if (until === undefined) return;
    if (until > Date.now()) throw this.addressRefusal(until);
    this.refusedUntil.delete(key);
  }

  /**
   * After a refusal was written to the auth log: counts the address's refusals of `method` in
   * the window (the auth log in Postgres, so every instance's refusals count) and, at `limit`,
   * refuses the address from memory until the oldest counted refusal leaves the window. Another
   * instance learns it at its own next refusal from that address: at most one more request per
   * instance is let through, never a request after a refusal the instance has seen.
   */
  async countRefusal(
    method: AuthLogEntity['method'],
    ipAddress: string,
    limit: number,
    reason: string,
  ): Promise<void> {
    // A flood already refused from memory costs no read.
    if (UNCOUNTED_REFUSALS.has(reason)) return;
    const refusals: CountedFailure[] = await this.authLog.addressRefusals(
      method,
      ipAddress,
      this.options.throttle.windowSeconds,
    );
    const reached = limitReachedAt(refusals, limit);
    if (!reached) return;
    const until = Date.now() + this.until(reached) * 1000;
    if (this.refusedUntil.size >= 10_000) this.refusedUntil.clear();
    this.refusedUntil.set(`${method} ${ipAddress}`, until);
  }

  private addressRefusal(until: number): AuthError {
    const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
    return new AuthError(
      'too_many_attempts',
      `Too many refused requests from this address; try again in ${seconds} s.`,
    );
  }

  private until(at: Date): number {
    const end = at.getTime() + this.options.throttle.windowSeconds * 1000;
    return Math.max(1, Math.ceil((end - Date.now()) / 1000));
  }
}
