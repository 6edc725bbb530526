import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';

/**
 * The check behind every read and write of a room's messages. A group room that exists says
 * `forbidden`; anything else, a direct room of others included, is `not_found`, revealing nothing.
 */
export async function assertMember(store: Store, userId: number, roomId: number): Promise<void> {
  if (await store.isMember(roomId, userId)) return;
  const room = await store.findRoom(roomId, userId);
  if (room?.kind === 'group') throw new AppError('forbidden', 'You are not a member of this room.');
  throw new AppError('not_found', 'No such room.');
}
