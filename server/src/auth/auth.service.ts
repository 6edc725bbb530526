import { LIMITS, type LoginInput, type PublicUser, type RegisterInput } from '@parley/protocol';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Publisher } from '../realtime/publisher.js';
import { StoreConflictError, type Store } from '../store/store.js';
import { weakPasswordReason } from './password-policy.js';
import type { Passwords } from './passwords.js';
import type { Session } from './session.js';
import { FailureThrottle } from './throttle.js';
import { hashToken, newSessionToken } from './tokens.js';
import { fullNameFold, personNameFold } from '../users/name-fold.js';
import { usernameKey } from './usernames.js';

/** Where a log-in comes from, kept with its session for the owner's list of devices. */
export interface ClientInfo {
  userAgent: string;
  address: string;
}

/** A session's last use is written at most this often: a request does not cost a write each. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface SignedIn {
  user: PublicUser;
  token: string;
  expiresAt: Date;
}

const WRONG_CREDENTIALS = 'Wrong username or password.';

const tooManyLogins = (waitMs: number, what: string) =>
  new AppError('rate_limited', `Too many ${what}. Try again in ${Math.ceil(waitMs / 60_000)} min.`);

export class AuthService {
  private readonly failuresPerAccountAddress: FailureThrottle;
  private readonly failuresPerAddress: FailureThrottle;
  /** Every successful log-in creates a session: so many per account, however they are spread. */
  private readonly loginsPerAccount: RateLimiterMemory;
  /** Sessions whose last use is being written. */
  private readonly touching = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly passwords: Passwords,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'sessionTtlMs' | 'limits'>,
  ) {
    const { limits } = config;
    this.failuresPerAccountAddress = new FailureThrottle(limits.loginFailuresPerAccountAddress, limits.loginWindowMs);
    this.failuresPerAddress = new FailureThrottle(limits.loginFailuresPerAddress, limits.loginWindowMs);
    this.loginsPerAccount = new RateLimiterMemory({
      points: limits.loginsPerAccount,
      duration: Math.ceil(limits.loginWindowMs / 1000),
    });
  }

  async register(input: RegisterInput, client: ClientInfo): Promise<SignedIn> {
    const weakness = weakPasswordReason(input.password, input.username);
    if (weakness) throw new AppError('invalid', 'Choose a stronger password.', { password: weakness });
    const passwordHash = await this.passwords.hash(input.password);
    let user: PublicUser;
    try {
      const record = await this.store.createUser({
        username: input.username,
        usernameKey: usernameKey(input.username),
        firstName: input.firstName,
        lastName: input.lastName,
        fullNameFold: fullNameFold(input.firstName, input.lastName),
        lastNameFold: personNameFold(input.lastName),
        passwordHash,
        createdAt: this.clock(),
      });
      user = { id: record.id, username: record.username, firstName: record.firstName, lastName: record.lastName };
    } catch (error) {
      if (error instanceof StoreConflictError) {
        throw new AppError('conflict', 'That username is taken.', { username: 'is taken' });
      }
      throw error;
    }
    return this.startSession(user, client);
  }

  /**
   * Unknown user, wrong password and a password longer than bcrypt reads fail alike, in about the same
   * time. Each attempt takes its point from the failure budgets of its address and of the account at
   * that address before the password is checked, and gives them back only if it succeeds; so no burst
   * of concurrent guesses gets more than the budget, and guesses from elsewhere never lock the owner out.
   */
  async login(input: LoginInput, client: ClientInfo): Promise<SignedIn> {
    const { address } = client;
    const accountKey = usernameKey(input.username);
    const accountAtAddress = JSON.stringify([accountKey, address]);

    const addressWait = await this.failuresPerAddress.take(address);
    if (addressWait > 0) throw tooManyLogins(addressWait, 'failed log-ins from your address');
    const accountWait = await this.failuresPerAccountAddress.take(accountAtAddress);
    if (accountWait > 0) {
      await this.failuresPerAddress.giveBack(address);
      throw tooManyLogins(accountWait, 'failed log-ins for this account');
    }

    let failed = false;
    try {
      const found = await this.store.findUserByUsernameKey(accountKey);
      // A deleted account whose username is not yet freed is as unknown as any other.
      const record = found?.deleted ? null : found;
      // bcrypt reads only the first 72 bytes, so a longer password would match the stored one plus any suffix.
      // It is still checked, so that refusing it costs the same time as any wrong password.
      const tooLong = Buffer.byteLength(input.password) > LIMITS.passwordMaxBytes;
      const matches = await this.passwords.verify(input.password, record?.passwordHash ?? null);
      if (!matches || tooLong || !record) {
        failed = true;
        throw new AppError('unauthorized', WRONG_CREDENTIALS);
      }
      await this.countLogin(accountKey);
      const { id, username, firstName, lastName } = record;
      return await this.startSession({ id, username, firstName, lastName }, client);
    } finally {
      if (!failed) {
        await this.failuresPerAccountAddress.giveBack(accountAtAddress);
        await this.failuresPerAddress.giveBack(address);
      }
    }
  }

  /** Revokes the session at once and disconnects every socket opened with it. */
  async logout(token: string): Promise<void> {
    const sessionId = await this.store.deleteSession(hashToken(token));
    if (sessionId !== null) this.publisher.disconnectSession(sessionId);
  }

  /** The live session a token stands for, or null when it is unknown, revoked or expired. */
  async authenticate(token: string): Promise<Session | null> {
    const now = this.clock();
    const record = await this.store.findSession(hashToken(token), now);
    if (!record) return null;
    if (now.getTime() - record.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) this.touch(record.id, now);
    return { id: record.id, user: record.user, expiresAt: record.expiresAt };
  }

  /**
   * Notes a session's use without making the request wait for the write, once at a time per session (a page's requests
   * at start all see it stale). A write that fails only leaves `lastUsedAt` older: the next use writes it again.
   */
  private touch(sessionId: number, now: Date): void {
    if (this.touching.has(sessionId)) return;
    this.touching.add(sessionId);
    this.store
      .touchSession(sessionId, now)
      .catch(() => undefined)
      .finally(() => this.touching.delete(sessionId));
  }

  isExpired(session: Session): boolean {
    return session.expiresAt.getTime() <= this.clock().getTime();
  }

  async deleteExpiredSessions(): Promise<number> {
    return this.store.deleteExpiredSessions(this.clock());
  }

  /** Frees the usernames of accounts deleted more than the grace period ago. */
  async releaseDeletedUsernames(): Promise<number> {
    return this.store.releaseDeletedUsernames(new Date(this.clock().getTime() - this.config.limits.deletedUsernameGraceMs));
  }

  private async countLogin(accountKey: string): Promise<void> {
    try {
      await this.loginsPerAccount.consume(accountKey, 1);
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) throw tooManyLogins(refusal.msBeforeNext, 'log-ins for this account');
      throw refusal;
    }
  }

  /** Creates the session, then ends the user's oldest ones beyond the cap, closing their sockets. */
  private async startSession(user: PublicUser, client: ClientInfo): Promise<SignedIn> {
    const token = newSessionToken();
    const createdAt = this.clock();
    const expiresAt = new Date(createdAt.getTime() + this.config.sessionTtlMs);
    await this.store.createSession({
      userId: user.id,
      tokenHash: hashToken(token),
      createdAt,
      expiresAt,
      userAgent: [...client.userAgent].slice(0, LIMITS.userAgentMax).join(''),
      address: client.address,
    });
    const ended = await this.store.deleteSessionsBeyond(user.id, this.config.limits.sessionsPerUser);
    for (const sessionId of ended) this.publisher.disconnectSession(sessionId);
    return { user, token, expiresAt };
  }
}
