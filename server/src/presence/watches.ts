import type { Socket } from 'socket.io';
import type { Session } from '../auth/session.js';
import { AppError } from '../errors.js';
import { channels } from '../realtime/publisher.js';
import type { BlocksService } from '../blocks/blocks.service.js';
import type { Presence } from './presence.js';

/**
 * Whom each socket watches (`presence:watch`): the socket is in the channel `watch:<id>` of each, which the
 * announcements of their coming and going reach on every node (see `AdapterPresence`). A new list replaces the
 * last; the socket leaves every channel when it closes, so a watch ends with it.
 *
 * The schema bounds one list (`LIMITS.presenceWatchMax`); here, the lists of one user's sockets on this node
 * together are bounded too, since each id watched is an entry in the adapter's memory for as long as the socket
 * lives.
 */
export class PresenceWatches {
  /** How many ids the sockets of each user on this node watch, together. */
  private readonly perUser = new Map<number, number>();
  private readonly watching = new WeakMap<Socket, number[]>();

  constructor(
    private readonly presence: Presence,
    private readonly perUserMax: number,
    private readonly blocks: BlocksService,
  ) {}

  /** Makes `socket` watch exactly these people, and answers those of them who are online now. */
  async watch(actor: Session, socket: Socket, userIds: readonly number[]): Promise<{ online: number[] }> {
    // A socket that closed while its event waited would keep, in the adapter, channels nobody removes.
    if (socket.disconnected) throw new AppError('invalid', 'This connection is closing.');
    const wanted = [...new Set(userIds)];
    const userId = actor.user.id;
    const previous = this.watching.get(socket);
    const total = (this.perUser.get(userId) ?? 0) - (previous?.length ?? 0) + wanted.length;
    if (total > this.perUserMax) {
      throw new AppError(
        'forbidden',
        `Your connections watch ${this.perUserMax} people at most, together; close a list of people elsewhere first.`,
        { userIds: `would make ${total} watched by your connections, over ${this.perUserMax}` },
      );
    }
    if (previous === undefined) socket.once('disconnect', () => this.forget(userId, socket));
    const keep = new Set(wanted);
    for (const id of previous ?? []) if (!keep.has(id)) void socket.leave(channels.watchers(id));
    // Before asking who is online: a change from then on reaches the socket, one before it is in the answer.
    void socket.join(wanted.map(channels.watchers));
    this.watching.set(socket, wanted);
    this.setCount(userId, total);
    const [online, hidden] = await Promise.all([this.presence.onlineAmong(wanted), this.blocks.hiddenFrom(userId, wanted)]);
    return { online: wanted.filter((id) => online.has(id) && !hidden.has(id)) };
  }

  private forget(userId: number, socket: Socket): void {
    const watched = this.watching.get(socket)?.length ?? 0;
    this.watching.delete(socket);
    this.setCount(userId, (this.perUser.get(userId) ?? 0) - watched);
  }

  private setCount(userId: number, count: number): void {
    if (count > 0) this.perUser.set(userId, count);
    else this.perUser.delete(userId);
  }
}
