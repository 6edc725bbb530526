import { LIMITS, type PublicUser, type UserBlockInput } from '@parley/protocol';
import type { Session } from '../auth/session.js';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Clock } from '../clock.js';
import type { Limits } from '../config.js';
import { AppError } from '../errors.js';
import type { Presence } from '../presence/presence.js';
import type { Publisher } from '../realtime/publisher.js';
import { StoreConflictError, type Store } from '../store/store.js';

/**
 * Blocking. While a block stands, either way, the two cannot write in their direct chat (the store closes it in
 * the same transaction), the one blocked cannot open it, and neither hears of the other's typing or presence;
 * the one blocked no longer finds the blocker in the directory. The one blocked is never told.
 */
export class BlocksService {
  private readonly changes: RateLimiterMemory;

  constructor(
    private readonly store: Store,
    private readonly publisher: Publisher,
    private readonly presence: Presence,
    private readonly clock: Clock,
    limits: Pick<Limits, 'blockChangesPerUser' | 'loginWindowMs'>,
  ) {
    this.changes = new RateLimiterMemory({ points: limits.blockChangesPerUser, duration: Math.ceil(limits.loginWindowMs / 1000) });
  }

  async setBlocked(actor: Session, input: UserBlockInput): Promise<object> {
    const userId = actor.user.id;
    if (input.userId === userId) throw new AppError('invalid', 'You cannot block yourself.', { userId: 'is you' });
    const other = await this.store.findUserById(input.userId);
    if (!other || other.deleted) throw new AppError('not_found', 'No such user.');
    try {
      await this.changes.consume(String(userId), 1);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      throw new AppError('rate_limited', `Too many blocks and unblocks. Try again in ${Math.ceil(refusal.msBeforeNext / 60_000)} min.`);
    }
    let changed: boolean;
    try {
      changed = await this.store.setBlock(userId, other.id, input.blocked, this.clock(), LIMITS.blocksMax);
    } catch (error) {
      if (error instanceof StoreConflictError && error.constraint === 'blocks_per_user') {
        throw new AppError('forbidden', `You can block ${LIMITS.blocksMax} people at most; unblock someone first.`);
      }
      throw error;
    }
    if (!changed) return {};
    // The blocker's devices; nothing to the person blocked.
    this.publisher.toUser(userId, 'user:blocked', { userId: other.id, blocked: input.blocked });
    await this.showPresence(userId, other.id, input.blocked);
    return {};
  }

  /**
   * Each of the two may be showing the other online from before; from now on no announcement about the other reaches
   * them, so they are told the other is offline. A lifted block tells each whether the other is online now, unless
   * another block still stands.
   */
  private async showPresence(userId: number, otherId: number, blocked: boolean): Promise<void> {
    if (blocked) {
      this.publisher.toUser(userId, 'user:offline', { userId: otherId });
      this.publisher.toUser(otherId, 'user:offline', { userId });
      return;
    }
    if ((await this.hiddenFrom(userId, [otherId])).size > 0) return;
    const online = await this.presence.onlineAmong([userId, otherId]);
    if (online.has(otherId)) this.publisher.toUser(userId, 'user:online', { userId: otherId });
    if (online.has(userId)) this.publisher.toUser(otherId, 'user:online', { userId });
  }

  /** Everyone the caller blocked, most recently first: at most `LIMITS.blocksMax`. */
  async blocked(actor: Session): Promise<{ users: PublicUser[] }> {
    return { users: await this.store.listBlocked(actor.user.id) };
  }

  /**
   * Those whose typing and presence the user never hears, and who never hear the user's: a block either way. All of
   * them, for a broadcast that must skip them; `among` those people only, for a page that shows them.
   */
  async hiddenFrom(userId: number, among?: readonly number[]): Promise<Set<number>> {
    return (await this.relationsOf(userId, among)).hidden;
  }

  /**
   * `hidden` as `hiddenFrom` says; `blockers`, those who blocked the user, whom the directory leaves out of what
   * the user sees.
   */
  async relationsOf(userId: number, among?: readonly number[]): Promise<{ hidden: Set<number>; blockers: Set<number> }> {
    const { blockedByMe, blockedMe } = await (among ? this.store.blocksAmong(userId, among) : this.store.blockRelationsOf(userId));
    return { hidden: new Set([...blockedByMe, ...blockedMe]), blockers: new Set(blockedMe) };
  }
}
