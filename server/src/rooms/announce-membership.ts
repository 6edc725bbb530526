import type { Publisher } from '../realtime/publisher.js';
import type { MembershipChanged } from '../store/store.js';

/**
 * A change of membership reaches every member's devices: its notice in the room's order, the count after it, and
 * the room's new owner when its owner went. Called while the one who joined is already in the room's channel, and
 * the one who left or was removed still is, so that their own devices hear of it too.
 */
export function announceMembership(publisher: Publisher, { notice, memberCount, newOwnerId }: MembershipChanged, userId: number): void {
  const roomId = notice.roomId;
  publisher.newMessage(notice);
  publisher.toRoom(roomId, 'room:member', { roomId, userId, change: notice.notice!.change, memberCount, seq: notice.seq });
  if (newOwnerId !== null) publisher.toRoom(roomId, 'room:role', { roomId, userId: newOwnerId, role: 'owner' });
}
