import { LIMITS, type PublicUser, type UserBlockInput } from '@parley/protocol';
import type { Session } from '../auth/session.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Publisher } from '../realtime/publisher.js';
import { StoreConflictError, type Store } from '../store/store.js';

/**
 * Blocking. While a block stands, either way, the two cannot write in their direct chat (the store closes it in
 * the same transaction), the one blocked cannot open it, and neither hears of the other's typing or presence;
 * the one blocked no longer finds the blocker in the directory. The one blocked is never told.
 */
export class BlocksService {
  constructor(
    private readonly store: Store,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
  ) {}

  async setBlocked(actor: Session, input: UserBlockInput): Promise<object> {
    const userId = actor.user.id;
    if (input.userId === userId) throw new AppError('invalid', 'You cannot block yourself.', { userId: 'is you' });
    const other = await this.store.findUserById(input.userId);
    if (!other || other.deleted) throw new AppError('not_found', 'No such user.');
    let changed: boolean;
    try {
      changed = await this.store.setBlock(userId, other.id, input.blocked, this.clock(), LIMITS.blocksMax);
    } catch (error) {
      if (error instanceof StoreConflictError && error.constraint === 'blocks_per_user') {
        throw new AppError('forbidden', `You can block ${LIMITS.blocksMax} people at most; unblock someone first.`);
      }
      throw error;
    }
    // The blocker's other devices; nothing to the person blocked.
    if (changed) this.publisher.toUser(userId, 'user:blocked', { userId: other.id, blocked: input.blocked });
    return {};
  }

  /** Everyone the caller blocked, most recently first: at most `LIMITS.blocksMax`. */
  async blocked(actor: Session): Promise<{ users: PublicUser[] }> {
    return { users: await this.store.listBlocked(actor.user.id) };
  }

  /** Those whose typing and presence the user never hears, and who never hear the user's: a block either way. */
  async hiddenFrom(userId: number): Promise<Set<number>> {
    return (await this.relationsOf(userId)).hidden;
  }

  /**
   * `hidden` as `hiddenFrom` says; `blockers`, those who blocked the user, whom the directory leaves out of what
   * the user sees.
   */
  async relationsOf(userId: number): Promise<{ hidden: Set<number>; blockers: Set<number> }> {
    const { blockedByMe, blockedMe } = await this.store.blockRelationsOf(userId);
    return { hidden: new Set([...blockedByMe, ...blockedMe]), blockers: new Set(blockedMe) };
  }
}
