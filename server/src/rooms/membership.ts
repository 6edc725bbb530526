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
