import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AuthError } from '../common/auth-error.js';
import { unusablePasswordHash, verifyPassword } from '../common/crypto.js';
import { AuthLogService, PENDING_ATTEMPT_MESSAGE } from '../auth-log/auth-log.service.js';
import { AuthEvents } from '../events/auth-events.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { AuthSettings } from '../settings/auth-settings.types.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { normalizeUserName } from '../users/user-name.js';
import { toAuthenticatedUser, type UserView } from '../users/user.view.js';
import { UsersService } from '../users/users.service.js';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { deviceCookieKey, issueDeviceCookie, readDeviceCookie } from './device-cookie.js';
import { LoginThrottleService } from './login-throttle.service.js';

export interface PasswordLoginResult {
  /** Raw session token: handed to the client once. */
  token: string;
  expiresAt: Date;
  user: UserView;
  /** New trusted-device cookie value for this browser (see `deviceCookieName`). */
  deviceCookie: string;
}

/** Whether the settings let this user sign in with a password (DESIGN 2.4). */
export function passwordLoginAllowed(
  settings: AuthSettings,
  user: Pick<UserEntity, 'isAdmin'>,
): boolean {
  if (settings.method === 'password') return true;
  if (!settings.oidc.fallback) return false;
  return user.isAdmin || settings.oidc.allowRegularUserFallback;
}

/** Thrown by `login` with the seconds to wait, for the `Retry-After` header. */
export class TooManyAttemptsError extends AuthError {
  constructor(readonly retryAfterSeconds: number) {
    super('too_many_attempts', 'Too many failed sign-in attempts; try again later.');
  }
}

@Injectable()
export class PasswordLoginService implements OnModuleInit {
  private readonly logger = new Logger('PasswordLogin');
  // One hash no password matches: unknown users cost the same scrypt work as known ones.
  private dummyHash: Promise<string> | undefined;
  private readonly deviceKey: Buffer;

  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly settings: AuthSettingsService,
    private readonly throttle: LoginThrottleService,
    private readonly authLog: AuthLogService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
    private readonly events: AuthEvents,
  ) {
    this.deviceKey = deviceCookieKey(options.secretKey);
  }

  onModuleInit(): void {
    // Computed ahead so even the first unknown user takes no longer than a known one.
    void this.unknownUserHash();
  }

  /** `deviceCookie`: the trusted-device cookie the browser sent, if any. */
  async login(
    username: string,
    password: string,
    ipAddress: string,
    deviceCookie?: string,
  ): Promise<PasswordLoginResult> {
    const userName = normalizeUserName(username).slice(0, 255);
    const device = readDeviceCookie(
      this.deviceKey,
      deviceCookie,
      this.options.trustedDeviceDays * 86_400,
    );
    // Trusted only for the user name it was issued to.
    const deviceId = device?.userName === userName ? device.id : undefined;
    const attemptId = await this.authLog.start({
      method: 'password',
      userName,
      ipAddress,
      success: false,
      reason: 'invalid_credentials',
      message: PENDING_ATTEMPT_MESSAGE,
      deviceId,
    });
    try {
      return await this.attempt(userName, password, ipAddress, attemptId, deviceId);
    } catch (error) {
      // An infrastructure failure is not a wrong password: it must not count towards throttling.
      if (!(error instanceof AuthError))
        await this.authLog.finish(attemptId, {
          success: false,
          reason: 'internal_error',
          message: 'The attempt failed on a server error.',
        });
      throw error;
    }
  }

  private async attempt(
    userName: string,
    password: string,
    ipAddress: string,
    attemptId: string,
    deviceId: string | undefined,
  ): Promise<PasswordLoginResult> {
    const refuse = async (error: AuthError, message: string): Promise<never> => {
      await this.authLog.finish(attemptId, { success: false, reason: error.code, message });
      throw error;
    };

    // Throttled before the password is checked: no more guesses while locked.
    const retryAfter = await this.throttle.retryAfterSeconds({
      userName,
      ipAddress,
      attemptId,
      deviceId,
    });
    if (retryAfter > 0) {
      return refuse(
        new TooManyAttemptsError(retryAfter),
        'Too many failed attempts for this user name or address.',
      );
    }

    const user = await this.users.findByUserNameWithPassword(userName);
    const hash = user?.passwordHash ?? (await this.unknownUserHash());
    const verified = await verifyPassword(password, hash);
    if (!user || !verified) {
      return refuse(
        new AuthError('invalid_credentials', 'Wrong user name or password.'),
        user ? 'Wrong password.' : 'No such user.',
      );
    }
    // Checked only after the password: before, these answers would tell who exists or is an admin.
    if (!user.isActive) {
      return refuse(
        new AuthError('user_inactive', 'This user is deactivated.'),
        'User is deactivated.',
      );
    }
    const settings = await this.settings.get();
    if (!passwordLoginAllowed(settings, user)) {
      return refuse(
        new AuthError(
          'method_not_allowed',
          'Password sign-in is not allowed for this user; use single sign-on.',
        ),
        settings.oidc.fallback
          ? 'Password fallback is for admins only.'
          : 'Password fallback is off.',
      );
    }
    const { token, session } = await this.sessions.create(user.id, 'password');
    await this.authLog.finish(attemptId, { success: true, reason: 'ok', message: null });
    this.logger.log(`Password sign-in of "${user.userName}".`);
    const signedIn = toAuthenticatedUser(user);
    await this.events.signedIn({
      user: signedIn,
      method: 'password',
      claims: null,
      created: false,
    });
    return {
      token,
      expiresAt: session.expiresAt,
      user: await this.users.toView(user),
      deviceCookie: issueDeviceCookie(this.deviceKey, user.userName),
    };
  }

  private unknownUserHash(): Promise<string> {
    this.dummyHash ??= unusablePasswordHash();
    return this.dummyHash;
  }
}
