import type { RoomMuteInput, RoomReadInput, TypingInput } from '@parley/protocol';
import type { Session } from '../auth/session.js';
import { AppError } from '../errors.js';
import type { BlocksService } from '../blocks/blocks.service.js';
import type { Publisher } from '../realtime/publisher.js';
import { assertMember, requireMembership } from '../rooms/membership.js';
import type { Store } from '../store/store.js';

/**
 * Read state and the signals around it: read markers, mute, typing. Sending a message moves its author's
 * marker inside the store's append, so nothing here runs on the send path.
 */
export class ReadsService {
  constructor(
    private readonly store: Store,
    private readonly publisher: Publisher,
    private readonly blocks: BlocksService,
  ) {}

  /**
   * Moves the caller's read marker forward to `seq`; one behind the marker changes nothing. When it moves,
   * every device of the caller hears of it, and in a direct chat the other person too (their "Seen").
   * A seq past the room's newest message names nothing that exists: `invalid`, as out-of-range numbers are.
   */
  async markRead(actor: Session, input: RoomReadInput): Promise<{ lastReadSeq: number }> {
    const userId = actor.user.id;
    const membership = await requireMembership(this.store, userId, input.roomId);
    if (input.seq > membership.lastSeq) {
      throw new AppError('invalid', 'That message does not exist yet.', {
        seq: `must be at most ${membership.lastSeq}, the room's last seq`,
      });
    }
    const marker = await this.store.advanceReadMarker(input.roomId, userId, input.seq);
    // Left the room between the check and the write.
    if (!marker) throw new AppError('not_found', 'You are not in that room.');
    if (marker.moved) {
      const event = { roomId: input.roomId, userId, seq: marker.lastReadSeq };
      // A direct room's channel holds exactly the devices of its two members.
      if (membership.kind === 'direct') this.publisher.toRoom(input.roomId, 'room:read', event);
      else this.publisher.toUser(userId, 'room:read', event);
    }
    return { lastReadSeq: marker.lastReadSeq };
  }

  /** Mutes or unmutes one of the caller's rooms, and tells their devices when that changed anything. */
  async mute(actor: Session, input: RoomMuteInput): Promise<object> {
    const userId = actor.user.id;
    await requireMembership(this.store, userId, input.roomId);
    if (await this.store.setMuted(input.roomId, userId, input.muted)) {
      this.publisher.toUser(userId, 'room:mute', { roomId: input.roomId, muted: input.muted });
    }
    return {};
  }

  /**
   * Relays "typing" to the room's other members, not to the caller's own devices, nor to anyone a block stands
   * between the caller and. Nothing is stored: it costs an indexed membership check and a look-up of the caller's
   * blocks, and nothing at all is sent for a room with nobody else connected.
   */
  async typing(actor: Session, input: TypingInput): Promise<object> {
    const userId = actor.user.id;
    await assertMember(this.store, userId, input.roomId);
    const hidden = await this.blocks.hiddenFrom(userId);
    this.publisher.toRoomExceptUsers(input.roomId, [userId, ...hidden], 'typing', { roomId: input.roomId, userId });
    return {};
  }
}
