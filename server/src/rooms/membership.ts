import { AppError } from '../errors.js';
import type { MembershipRecord, Store } from '../store/store.js';

/**
 * The check behind every read and write of a room's messages. A group room that exists says
 * `forbidden`; anything else, a direct room of others included, is `not_found`, revealing nothing.
 */
export async function assertMember(store: Store, userId: number, roomId: number): Promise<void> {
  if (await store.isMember(roomId, userId)) return;
  const room = await store.findRoom(roomId, userId);
  throw notAMember(room?.kind);
}

/**
 * The check behind every send, in the one look-up `assertMember` makes: a member of a direct chat closed to sending
 * (a block stands between its two people, or one deleted their account) is refused, and not told why.
 */
export async function assertMayWrite(store: Store, userId: number, roomId: number): Promise<void> {
  const standing = await store.sendStanding(roomId, userId);
  if (standing === 'member') return;
  if (standing === 'closed') throw cannotMessage();
  const room = await store.findRoom(roomId, userId);
  throw notAMember(room?.kind);
}

/** Said alike to the one who blocked and to the one blocked, so that it tells neither who did. */
export const cannotMessage = () => new AppError('forbidden', "You can't message this person.");

/** The same check, returning the membership (read marker, mute) and the room's last seq, in one look-up. */
export async function requireMembership(store: Store, userId: number, roomId: number): Promise<MembershipRecord> {
  const membership = await store.findMembership(roomId, userId);
  if (membership?.member) return membership;
  throw notAMember(membership?.kind);
}

function notAMember(kind: MembershipRecord['kind'] | undefined): AppError {
  if (kind === 'group') return new AppError('forbidden', 'You are not a member of this room.');
  return new AppError('not_found', 'No such room.');
}
