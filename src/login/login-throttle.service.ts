import { Injectable } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthLogService } from '../auth-log/auth-log.service.js';

/**
 * Throttles failed password attempts per user name and per client address, counted in the
 * auth log in Postgres so every instance of the app shares the counts.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly authLog: AuthLogService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  /**
   * Seconds until another attempt is allowed, or 0 when allowed now. `attemptId` is the
   * caller's own pending log row: other pending attempts count as failures, so a burst of
   * concurrent guesses cannot slip past the limit.
   */
  async retryAfterSeconds(userName: string, ipAddress: string, attemptId: string): Promise<number> {
    const { perUserName, perAddress, windowSeconds } = this.options.throttle;
    const [byUser, byAddress] = await Promise.all([
      this.authLog.failedPasswordAttemptAt({ userName }, perUserName, windowSeconds, attemptId),
      this.authLog.failedPasswordAttemptAt({ ipAddress }, perAddress, windowSeconds, attemptId),
    ]);
    const oldest = [byUser, byAddress].filter((at): at is Date => at !== null);
    if (!oldest.length) return 0;
    const until = Math.max(...oldest.map((at) => at.getTime() + windowSeconds * 1000));
    return Math.max(1, Math.ceil((until - Date.now()) / 1000));
  }
}
