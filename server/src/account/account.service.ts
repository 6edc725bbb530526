import type {
  AccountDeleteInput,
  PasswordChangeInput,
  ProfileUpdateInput,
  PublicUser,
  SessionInfo,
} from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { weakPasswordReason } from '../auth/password-policy.js';
import type { Passwords } from '../auth/passwords.js';
import type { Session } from '../auth/session.js';
import type { Clock } from '../clock.js';
import type { Limits } from '../config.js';
import { AppError } from '../errors.js';
import type { Publisher } from '../realtime/publisher.js';
import type { RoomsService } from '../rooms/rooms.service.js';
import { DELETED_USER_NAME } from '../store/direct-key.js';
import type { Store } from '../store/store.js';
import { fullNameFold, personNameFold } from '../users/name-fold.js';

const signedOut = () => new AppError('unauthorized', 'Log in first: no valid session.');

/**
 * What a signed-in person does with their own account: their name, their password, their sessions, and deleting
 * it all. Whatever proves it is them (the current password) is checked here, and counted per user: each check
 * is a bcrypt hash, and someone holding a stolen session must not get to guess on.
 */
export class AccountService {
  private readonly passwordChecks: RateLimiterMemory;
  private readonly nameChanges: RateLimiterMemory;

  constructor(
    private readonly store: Store,
    private readonly passwords: Passwords,
    private readonly publisher: Publisher,
    private readonly rooms: RoomsService,
    private readonly clock: Clock,
    limits: Pick<Limits, 'passwordChecksPerUser' | 'nameChangesPerUser' | 'loginWindowMs'>,
    private readonly log: FastifyBaseLogger,
  ) {
    const duration = Math.ceil(limits.loginWindowMs / 1000);
    this.passwordChecks = new RateLimiterMemory({ points: limits.passwordChecksPerUser, duration });
    this.nameChanges = new RateLimiterMemory({ points: limits.nameChangesPerUser, duration });
  }

  /** Renames the caller; everyone's clients hear it at once (`user:updated`), since anyone may show the name. */
  async rename(actor: Session, input: ProfileUpdateInput): Promise<{ user: PublicUser }> {
    await take(this.nameChanges, actor.user.id, 'name changes');
    const user = await this.store.updateUserName(actor.user.id, {
      firstName: input.firstName,
      lastName: input.lastName,
      fullNameFold: fullNameFold(input.firstName, input.lastName),
      lastNameFold: personNameFold(input.lastName),
    });
    if (!user) throw signedOut();
    this.publisher.toEveryone('user:updated', { user });
    return { user };
  }

  /** Sets a new password, the current one required, and ends every other session, disconnecting their sockets. */
  async changePassword(actor: Session, input: PasswordChangeInput): Promise<void> {
    await this.checkPassword(actor, input.currentPassword, 'currentPassword');
    const weakness = weakPasswordReason(input.newPassword, actor.user.username);
    if (weakness) throw new AppError('invalid', 'Choose a stronger password.', { newPassword: weakness });
    await this.store.updatePasswordHash(actor.user.id, await this.passwords.hash(input.newPassword));
    for (const sessionId of await this.store.deleteSessionsExcept(actor.user.id, actor.id)) {
      this.publisher.disconnectSession(sessionId);
    }
  }

  /** The caller's live sessions, newest first. At most `sessionsPerUser`, so one answer holds them all. */
  async sessions(actor: Session): Promise<{ sessions: SessionInfo[] }> {
    const listed = await this.store.listSessions(actor.user.id, this.clock());
    return {
      sessions: listed.map((session) => ({
        id: session.id,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
        userAgent: session.userAgent,
        address: session.address,
        current: session.id === actor.id,
      })),
    };
  }

  /** Ends one of the caller's sessions and disconnects its sockets; the current one too, as a log-out. */
  async revokeSession(actor: Session, sessionId: number): Promise<void> {
    if (!(await this.store.deleteUserSession(actor.user.id, sessionId))) {
      throw new AppError('not_found', 'No such session.');
    }
    this.publisher.disconnectSession(sessionId);
  }

  /**
   * Deletes the caller's account, the password required. Its sessions end and their sockets close; its messages
   * stay, their author shown as "Deleted user"; its direct chats can no longer be written in; it leaves its group
   * rooms as anyone leaves (ownership passes on); its username stays taken for a grace period.
   */
  async deleteAccount(actor: Session, input: AccountDeleteInput): Promise<void> {
    await this.checkPassword(actor, input.password, 'password');
    const sessionIds = await this.store.deleteUser(actor.user.id, this.clock());
    if (sessionIds === null) throw signedOut();
    for (const sessionId of sessionIds) this.publisher.disconnectSession(sessionId);
    // Told before the rooms are left: whatever happens there, every screen stops showing the name.
    this.publisher.toEveryone('user:updated', { user: { ...actor.user, ...DELETED_USER_NAME } });
    const { failed } = await this.rooms.leaveEveryGroup(actor);
    if (failed > 0) this.log.warn({ userId: actor.user.id, failed }, 'a deleted account could not leave some group rooms');
  }

  private async checkPassword(actor: Session, password: string, field: string): Promise<void> {
    await take(this.passwordChecks, actor.user.id, 'password checks');
    const user = await this.store.findUserById(actor.user.id);
    if (!user || user.deleted) throw signedOut();
    if (!(await this.passwords.verify(password, user.passwordHash))) {
      throw new AppError('bad_password', 'Wrong password.', { [field]: 'is wrong' });
    }
  }
}

async function take(limiter: RateLimiterMemory, userId: number, what: string): Promise<void> {
  try {
    await limiter.consume(String(userId), 1);
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) {
      throw new AppError('rate_limited', `Too many ${what}. Try again in ${Math.ceil(refusal.msBeforeNext / 60_000)} min.`);
    }
    throw refusal;
  }
}
