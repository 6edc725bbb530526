import { LIMITS, type RoomMembersInput, type RoomMembersPage } from '@parley/protocol';
import type { Session } from '../auth/session.js';
import type { Presence } from '../presence/presence.js';
import type { Store } from '../store/store.js';
import { assertMember } from './membership.js';
import { decodeMemberCursor, encodeMemberCursor } from './room-cursors.js';

/** Who is in a room, for its members. */
export class RoomMembersService {
  constructor(
    private readonly store: Store,
    private readonly presence: Presence,
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
    const online = await this.presence.onlineAmong(members.map((member) => member.user.id));
    const last = members.at(-1);
    return {
      members: members.map((member) => ({ ...member, online: online.has(member.user.id) })),
      nextCursor: found.length > limit && last ? encodeMemberCursor({ joinedAtMs: Date.parse(last.joinedAt), userId: last.user.id }) : null,
    };
  }
}
