import type { LoginInput, PublicUser, RegisterInput } from '@parley/protocol';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import type { Publisher } from '../realtime/publisher.js';
import { StoreConflictError, type Store } from '../store/store.js';
import type { Passwords } from './passwords.js';
import type { Session } from './session.js';
import { FailureThrottle } from './throttle.js';
import { hashToken, newSessionToken } from './tokens.js';
import { usernameKey } from './usernames.js';

export interface SignedIn {
  user: PublicUser;
  token: string;
  expiresAt: Date;
}

const WRONG_CREDENTIALS = 'Wrong username or password.';

export class AuthService {
  private readonly failuresPerAccount: FailureThrottle;
  private readonly failuresPerAddress: FailureThrottle;

  constructor(
    private readonly store: Store,
    private readonly passwords: Passwords,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
    private readonly config: Pick<Config, 'sessionTtlMs' | 'limits'>,
  ) {
    const { limits } = config;
    this.failuresPerAccount = new FailureThrottle(limits.loginFailuresPerAccount, limits.loginWindowMs);
    this.failuresPerAddress = new FailureThrottle(limits.loginFailuresPerAddress, limits.loginWindowMs);
  }

  async register(input: RegisterInput): Promise<SignedIn> {
    const passwordHash = await this.passwords.hash(input.password);
    let user: PublicUser;
    try {
      const record = await this.store.createUser({
        username: input.username,
        usernameKey: usernameKey(input.username),
        firstName: input.firstName,
        lastName: input.lastName,
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
    this.publisher.toEveryone('user:new', user);
    return this.startSession(user);
  }

  /** Unknown user and wrong password fail alike, in about the same time; failures are throttled. */
  async login(input: LoginInput, address: string): Promise<SignedIn> {
    const accountKey = usernameKey(input.username);
    const waitMs = Math.max(
      await this.failuresPerAccount.blockedFor(accountKey),
      await this.failuresPerAddress.blockedFor(address),
    );
    if (waitMs > 0) {
      throw new AppError('rate_limited', `Too many failed log-ins. Try again in ${Math.ceil(waitMs / 60_000)} min.`);
    }
    const record = await this.store.findUserByUsernameKey(accountKey);
    if (!(await this.passwords.verify(input.password, record?.passwordHash ?? null)) || !record) {
      await Promise.all([
        this.failuresPerAccount.recordFailure(accountKey),
        this.failuresPerAddress.recordFailure(address),
      ]);
      throw new AppError('unauthorized', WRONG_CREDENTIALS);
    }
    await this.failuresPerAccount.reset(accountKey);
    const { id, username, firstName, lastName } = record;
    return this.startSession({ id, username, firstName, lastName });
  }

  /** Revokes the session at once and disconnects every socket opened with it. */
  async logout(token: string): Promise<void> {
    const sessionId = await this.store.deleteSession(hashToken(token));
    if (sessionId !== null) this.publisher.disconnectSession(sessionId);
  }

  /** The live session a token stands for, or null when it is unknown, revoked or expired. */
  async authenticate(token: string): Promise<Session | null> {
    const record = await this.store.findSession(hashToken(token), this.clock());
    return record && { id: record.id, user: record.user, expiresAt: record.expiresAt };
  }

  isExpired(session: Session): boolean {
    return session.expiresAt.getTime() <= this.clock().getTime();
  }

  async deleteExpiredSessions(): Promise<number> {
    return this.store.deleteExpiredSessions(this.clock());
  }

  private async startSession(user: PublicUser): Promise<SignedIn> {
    const token = newSessionToken();
    const createdAt = this.clock();
    const expiresAt = new Date(createdAt.getTime() + this.config.sessionTtlMs);
    await this.store.createSession({ userId: user.id, tokenHash: hashToken(token), createdAt, expiresAt });
    return { user, token, expiresAt };
  }
}
