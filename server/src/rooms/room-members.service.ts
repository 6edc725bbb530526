import {
  LIMITS,
  type RoomMembersInput,
  type RoomMembersPage,
  type RoomRemoveInput,
  type RoomRoleInput,
  type RoomUnbanInput,
} from '@parley/protocol';
import type { Session } from '../auth/session.js';
import type { BlocksService } from '../blocks/blocks.service.js';
import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Presence } from '../presence/presence.js';
import type { Publisher } from '../realtime/publisher.js';
import type { MembershipRecord, Store } from '../store/store.js';
import { announceMembership } from './announce-membership.js';
import { assertMember, requireMembership } from './membership.js';
import { decodeMemberCursor, encodeMemberCursor } from './room-cursors.js';

/** Who is in a room, for its members; removing and banning, for its owner and moderators. */
export class RoomMembersService {
  constructor(
    private readonly store: Store,
    private readonly presence: Presence,
    private readonly publisher: Publisher,
    private readonly clock: Clock,
    private readonly blocks: BlocksService,
  ) {}

  /**
   * A page of a room's members, longest-standing first, each with their role and whether they are online now.
   * Only members may ask; a page holds at most `LIMITS.membersPageMax` of them, so its size is bounded.
   */
  async page(actor: Session, input: RoomMembersInput): Promise<RoomMembersPage> {
    await assertMember(this.store, actor.user.id, input.roomId);
    const limit = input.limit ?? LIMITS.membersPageDefault;
    // One more than the page tells whether another follows, without counting.
    const found = await this.store.listMembers(input.roomId, {
      after: input.cursor === undefined ? undefined : decodeMemberCursor(input.cursor),
      limit: limit + 1,
    });
    const members = found.slice(0, limit);
    const [online, hidden] = await Promise.all([
      this.presence.onlineAmong(members.map((member) => member.user.id)),
      this.blocks.hiddenFrom(actor.user.id, members.map((member) => member.user.id)),
    ]);
    const last = members.at(-1);
    return {
      members: members.map((member) => ({ ...member, online: online.has(member.user.id) && !hidden.has(member.user.id) })),
      nextCursor: found.length > limit && last ? encodeMemberCursor({ joinedAtMs: Date.parse(last.joinedAt), userId: last.user.id }) : null,
    };
  }

  /**
   * An owner or moderator removes a member of a group room: a moderator only plain members, the owner anyone but
   * themself (who leaves instead). The removed person's devices hear of it, then stop receiving the room at once, on
   * every node; from then on history, sync and send refuse them as any non-member, and joining again is refused
   * until their ban ends (`banMinutes`, or until `room:unban` without it).
   */
  async remove(actor: Session, input: RoomRemoveInput): Promise<object> {
    const mine = await this.requireModerator(actor, input.roomId);
    if (input.userId === actor.user.id) throw new AppError('invalid', 'To go, leave the room.', { userId: 'is you' });
    const theirs = await this.store.findMembership(input.roomId, input.userId);
    if (!theirs?.member) throw new AppError('not_found', 'They are not in this room.');
    if (theirs.role === 'owner' || (theirs.role === 'moderator' && mine.role !== 'owner')) {
      throw new AppError('forbidden', 'Only the owner can remove a moderator, and nobody the owner.');
    }
    const user = await this.store.findUserById(input.userId);
    if (!user) throw new AppError('not_found', 'They are not in this room.');
    const now = this.clock();
    const removed = await this.store.changeMembership({
      roomId: input.roomId,
      user: { id: user.id, username: user.username, firstName: user.firstName, lastName: user.lastName },
      actorId: actor.user.id,
      change: 'removed',
      at: now,
      bannedUntil: input.banMinutes === undefined ? null : new Date(now.getTime() + input.banMinutes * 60_000),
    });
    // Someone else removed them meanwhile: that one announced it.
    if (!removed) return {};
    announceMembership(this.publisher, removed, input.userId);
    this.publisher.leaveRoom(input.userId, input.roomId);
    return {};
  }

  /** An owner or moderator lets someone removed join again; lifting a ban that is not there changes nothing. */
  async unban(actor: Session, input: RoomUnbanInput): Promise<object> {
    await this.requireModerator(actor, input.roomId);
    await this.store.deleteBan(input.roomId, input.userId);
    return {};
  }

  /**
   * The owner names a moderator, or makes one a member again; every member's devices hear it (`room:role`). Naming
   * someone what they are already changes nothing. The owner's own role is not theirs to give away here.
   */
  async setRole(actor: Session, input: RoomRoleInput): Promise<object> {
    const mine = await this.requireModerator(actor, input.roomId);
    if (mine.role !== 'owner') throw new AppError('forbidden', 'Only the room’s owner can name moderators.');
    if (input.userId === actor.user.id) throw new AppError('invalid', 'The owner stays the owner.', { userId: 'is you' });
    const theirs = await this.store.findMembership(input.roomId, input.userId);
    if (!theirs?.member) throw new AppError('not_found', 'They are not in this room.');
    if (await this.store.setRole(input.roomId, input.userId, input.role)) {
      this.publisher.toRoom(input.roomId, 'room:role', { roomId: input.roomId, userId: input.userId, role: input.role });
    }
    return {};
  }

  /** The caller's membership of a group room, where they are its owner or a moderator. */
  private async requireModerator(actor: Session, roomId: number): Promise<MembershipRecord> {
    const mine = await requireMembership(this.store, actor.user.id, roomId);
    if (mine.kind !== 'group') throw new AppError('forbidden', 'A direct chat has no owner or moderators.');
    if (mine.role !== 'owner' && mine.role !== 'moderator') {
      throw new AppError('forbidden', 'Only the room’s owner and moderators can do that.');
    }
    return mine;
  }
}
