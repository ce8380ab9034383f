import { Injectable, Logger } from '@nestjs/common';
import { InjectAuthOptions } from '../auth.module-definition.js';
import type { ResolvedAuthOptions } from '../auth-options.js';
import { AuthLogService } from '../auth-log/auth-log.service.js';
import { AuthError } from '../common/auth-error.js';
import { toAuthError } from '../common/auth-error.filter.js';
import { decryptSecret, encryptSecret, randomToken, sha256Hex } from '../common/crypto.js';
import {
  clientAddress,
  type HttpRequest,
  type HttpResponse,
  readCookie,
  setCookie,
} from '../common/http.js';
import { IdTokenVerifier } from '../oidc/id-token.verifier.js';
import type { OidcClaims } from '../oidc/oidc-claims.js';
import {
  OidcProvisioningService,
  type ProvisioningPlan,
  userNameFromClaims,
} from '../oidc/oidc-provisioning.service.js';
import { checkAuthorizationResponse, passportStandIn } from '../oidc/oidc-login.service.js';
import { OidcTokenClient } from '../oidc/oidc-token.client.js';
import { OidcStrategy } from '../oidc/oidc.strategy.js';
import { AuthSettingsService } from '../settings/auth-settings.service.js';
import type { AuthSettings, StoredOidcSettings } from '../settings/auth-settings.types.js';
import {
  DEFAULT_PROVIDER_ID,
  isDefaultProvider,
  providerRedirectUri,
} from '../providers/provider-id.js';
import type { AuthenticatedUser } from '../users/user.view.js';
import { testCookieName } from './test-sign-in.cookie.js';
import { decodeJwtParts, TestSignInChecks } from './test-sign-in.checks.js';
import type { TestSignInEntity } from './test-sign-in.entity.js';
import {
  idTokenCheckOf,
  idTokenChecksUpTo,
  type TestSignInCheckName,
  type TestSignInReport,
} from './test-sign-in.report.js';
import { TEST_STATE_PREFIX } from './test-sign-in-state.js';
import { TEST_SIGN_IN_TTL_MS, TestSignInStore } from './test-sign-in.store.js';

/** Associated data of the candidate secret's box: it cannot be swapped with the settings' box. */
const SECRET_AAD = 'auth-test-sign-in';
const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/;

type VerifiedClaims = OidcClaims & { iss: string; sub: string };

export interface TestSignInStarted {
  id: string;
  authorizationUrl: string;
  expiresAt: string;
}

/**
 * Test sign-in: the whole OIDC flow with candidate settings, through the same strategy,
 * token client, ID-token verifier and provisioning rules as a real sign-in, ending in a
 * report instead of a session. It creates no session and changes no user, team or identity.
 */
@Injectable()
export class TestSignInService {
  private readonly logger = new Logger('TestSignIn');

  constructor(
    private readonly settingsService: AuthSettingsService,
    private readonly store: TestSignInStore,
    private readonly tokens: OidcTokenClient,
    private readonly idTokens: IdTokenVerifier,
    private readonly provisioning: OidcProvisioningService,
    private readonly authLog: AuthLogService,
    @InjectAuthOptions() private readonly options: ResolvedAuthOptions,
  ) {}

  /** Validates the candidate settings, stores the pending test, answers the IdP URL. */
  async start(
    body: unknown,
    admin: AuthenticatedUser,
    request: HttpRequest,
    response: HttpResponse,
    /** Candidate settings of a provider besides `default` (already validated); default: from `body`. */
    candidate?: AuthSettings,
  ): Promise<TestSignInStarted> {
    const settings = candidate ?? (await this.settingsService.candidate(body));
    const strategy = this.strategyFor(settings);
    const existing = readCookie(request, testCookieName(this.options));
    // One binding value per browser, reused so several tests (tabs) can be pending at once.
    const browserId = existing && BROWSER_ID.test(existing) ? existing : randomToken(32);
    const state = `${TEST_STATE_PREFIX}${randomToken(32)}`;
    const nonce = randomToken(32);
    const codeVerifier = settings.oidc.pkce ? randomToken(32) : null;
    const { clientSecret, ...stored } = settings.oidc;
    const row = await this.store.create({
      state,
      browserId,
      adminUserId: admin.id,
      nonce,
      codeVerifier,
      // The provider rides along in the candidate settings: its callback is the only one that finishes it.
      settings: isDefaultProvider(settings.providerId)
        ? stored
        : ({ ...stored, providerId: settings.providerId } as StoredOidcSettings),
      clientSecretEncrypted: clientSecret
        ? encryptSecret(clientSecret, this.options.secretKey, SECRET_AAD)
        : null,
    });
    const authorizationUrl = await strategy.start(request, { state, nonce, codeVerifier });
    // Path / so it also works under a __Host- prefixed name; SameSite=Lax: sent on the IdP's redirect back.
    setCookie(response, testCookieName(this.options), browserId, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.options.secureCookies,
      path: '/',
      maxAge: TEST_SIGN_IN_TTL_MS,
    });
    return { id: row.id, authorizationUrl, expiresAt: row.expiresAt.toISOString() };
  }

  /** The report of a test, for the admin who started it (not_found for anyone else). */
  async report(id: string, admin: AuthenticatedUser): Promise<TestSignInReport> {
    const row = await this.store.findFor(id, admin.id);
    if (row.status === 'done' && row.report) return row.report;
    return {
      id: row.id,
      status: 'pending',
      checks: [],
      idToken: null,
      userInfo: null,
      result: null,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
    };
  }

  /**
   * The IdP came back with a test state: runs the checks, records the report, and answers
   * where to send the browser (the report page). Never throws, never sets a session.
   */
  async finish(request: HttpRequest, providerId: string = DEFAULT_PROVIDER_ID): Promise<string> {
    const page = this.options.testSignInPagePath;
    try {
      const state = request.query?.state;
      const row =
        typeof state === 'string' && state.length <= 512 ? await this.store.consume(state) : null;
      if (!row) {
        await this.record(request, null, 'state_mismatch', 'the state is unknown or already used.');
        return `${page}?error=state_mismatch`;
      }
      if (row.expiresAt.getTime() <= Date.now()) {
        await this.record(request, null, 'state_expired', 'it took longer than 10 minutes.');
        return `${page}?error=state_expired`;
      }
      if ((this.settingsOf(row).providerId ?? DEFAULT_PROVIDER_ID) !== providerId) {
        await this.record(request, null, 'state_mismatch', 'it was started for another provider.');
        return `${page}?error=state_mismatch`;
      }
      const report = await this.run(row, request);
      await this.store.finish(row.id, report);
      const result = report.result;
      await this.record(
        request,
        result?.userName ?? null,
        result?.outcome === 'signed_in' ? 'ok' : (result?.code ?? 'internal_error'),
        result?.message ?? '',
      );
      return `${page}?id=${row.id}`;
    } catch (thrown) {
      const error = toAuthError(thrown);
      this.logger.error(`Test sign-in failed: ${String(thrown)}`);
      return `${page}?error=${encodeURIComponent(error.code)}`;
    }
  }

  /** Every check of the real sign-in, recorded one by one; the first refusal ends the run. */
  private async run(row: TestSignInEntity, request: HttpRequest): Promise<TestSignInReport> {
    const checks = new TestSignInChecks();
    const report: TestSignInReport = {
      id: row.id,
      status: 'done',
      checks: checks.items,
      idToken: null,
      userInfo: null,
      result: null,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
    };
    let stage: TestSignInCheckName | 'id token' = 'authorization response';
    // Read through a function: the stage also advances inside the exchange callback.
    const currentStage = (): TestSignInCheckName | 'id token' => stage;
    let afterExchange = false;
    let unverifiedClaims: Record<string, unknown> | undefined;
    let userName: string | null = null;
    try {
      const settings = this.settingsOf(row);
      const query = request.query ?? {};
      // The same response checks as a real sign-in, in the same order.
      checkAuthorizationResponse(query, settings);
      checks.pass('authorization response');
      stage = 'state';
      const cookie = readCookie(request, testCookieName(this.options));
      // Like a real login, the answer must come back to the browser that started the test.
      if (!cookie || sha256Hex(cookie) !== row.browserHash)
        throw new AuthError(
          'state_mismatch',
          'The test sign-in was started in another browser; start it again here.',
        );
      checks.pass('state');
      const verified = await this.strategyFor(settings).callback<TestSignInEntity, VerifiedClaims>(
        request,
        {
          consumeState: () => Promise.resolve(row),
          exchange: async (code) => {
            stage = 'token request';
            const tokens = await this.tokens.exchange(
              code,
              row.codeVerifier,
              this.redirectUri(settings),
              settings,
            );
            checks.pass('token request');
            const decoded = decodeJwtParts(tokens.idToken);
            unverifiedClaims = decoded?.claims;
            if (decoded) report.idToken = { ...decoded, verified: false };
            stage = 'id token';
            const { claims } = await this.idTokens.verify(tokens.idToken, settings, {
              nonce: row.nonce,
              maxAge: settings.oidc.maxAge,
              startedAt: row.createdAt,
            });
            this.passIdTokenChecks(checks, claims, settings);
            if (report.idToken) report.idToken = { ...report.idToken, claims, verified: true };
            stage = 'userinfo';
            const userInfo = await this.tokens.userInfo(tokens.accessToken, claims.sub, settings);
            if (settings.oidc.userInfoEndpoint) {
              report.userInfo = userInfo;
              checks.pass('userinfo');
              checks.pass('sub match');
            } else {
              checks.pass('userinfo', 'Not called: no UserInfo endpoint is set.');
            }
            afterExchange = true;
            // ID-token claims win over UserInfo claims, as in a real sign-in.
            return {
              result: { ...userInfo, ...claims },
              accessToken: tokens.accessToken,
              raw: { id_token: passportStandIn(claims, settings) },
            };
          },
        },
      );
      afterExchange = false;
      stage = 'user-name claim';
      userName = userNameFromClaims(verified, settings.oidc.usernameClaim);
      checks.pass('user-name claim', `The user name is "${userName}".`);
      stage = 'policy';
      const plan = await this.provisioning.plan(verified, settings);
      checks.pass('policy');
      report.result = {
        outcome: 'signed_in',
        message: describePlan(plan),
        plan,
        userName: plan.userName,
      };
    } catch (thrown) {
      const error = toAuthError(thrown);
      if (error.code === 'internal_error')
        this.logger.error(`Test sign-in check failed: ${String(thrown)}`, (thrown as Error)?.stack);
      let name: TestSignInCheckName;
      const failedAt = currentStage();
      if (failedAt === 'id token' || afterExchange) {
        name = idTokenCheckOf(error, unverifiedClaims);
        for (const passed of idTokenChecksUpTo(name)) if (!afterExchange) checks.pass(passed);
      } else if (failedAt === 'userinfo' && error.code === 'userinfo_sub_mismatch') {
        checks.pass('userinfo');
        name = 'sub match';
      } else {
        name = failedAt;
      }
      checks.fail(name, error);
      report.result = {
        outcome: 'refused',
        code: error.code,
        message: error.message,
        plan: null,
        userName,
      };
    }
    return report;
  }

  private passIdTokenChecks(
    checks: TestSignInChecks,
    claims: VerifiedClaims,
    settings: AuthSettings,
  ): void {
    for (const name of idTokenChecksUpTo(undefined)) {
      if (name === 'azp' && claims.azp === undefined)
        checks.pass(name, 'Not applicable: one audience and no azp claim.');
      else if (name === 'auth_time/max_age' && settings.oidc.maxAge === null)
        checks.pass(name, 'Not checked: no maxAge is set.');
      else checks.pass(name);
    }
  }

  private settingsOf(row: TestSignInEntity): AuthSettings {
    const clientSecret = row.clientSecretEncrypted
      ? decryptSecret(row.clientSecretEncrypted, this.options.secretKey, SECRET_AAD)
      : '';
    const { providerId, ...oidc } = row.settings as StoredOidcSettings & { providerId?: string };
    // Version 0 is never a stored version: nothing cached for real sign-ins is reused.
    const settings: AuthSettings = { method: 'oidc', oidc: { ...oidc, clientSecret }, version: 0 };
    return providerId ? { ...settings, providerId } : settings;
  }

  private redirectUri(settings: AuthSettings): string {
    return isDefaultProvider(settings.providerId)
      ? this.settingsService.redirectUri()
      : providerRedirectUri(this.options, settings.providerId as string);
  }

  /** A strategy of its own: the cached one of the real sign-in stays untouched. */
  private strategyFor(settings: AuthSettings): OidcStrategy {
    try {
      return new OidcStrategy(settings, this.redirectUri(settings));
    } catch (error) {
      throw new AuthError(
        'oidc_not_configured',
        'OIDC sign-in is not fully configured (client id, issuer, authorization and token endpoints).',
        { cause: error },
      );
    }
  }

  /** The auth log entry of a test: its own method, so it never counts as a real sign-in. */
  private async record(
    request: HttpRequest,
    userName: string | null,
    reason: string,
    message: string,
  ): Promise<void> {
    await this.authLog.record({
      method: 'oidc_test',
      userName,
      ipAddress: clientAddress(request),
      success: reason === 'ok',
      reason,
      message: `Test sign-in: ${message}`,
    });
  }
}

function describePlan(plan: ProvisioningPlan): string {
  const what =
    plan.action === 'create'
      ? 'would be created'
      : plan.action === 'link'
        ? `would be linked (${plan.linkedBy ?? 'userName'})`
        : 'exists';
  return `The user "${plan.userName}" ${what}${plan.isAdmin ? ', as an admin' : ''}; ${plan.teamsAdded.length} team(s) added, ${plan.teamsRemoved.length} removed.`;
}
