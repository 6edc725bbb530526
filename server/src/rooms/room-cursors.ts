import { decodeCursor as decode, encodeCursor as encode, invalidCursor as notOurs } from '../cursor.js';
import type { ActivityPosition, JoinablePosition, MemberPosition } from '../store/store.js';

/**
 * The cursors of the room lists (see `../cursor.ts`). One that does not decode to what the server gives is
 * refused, never read as "from the start".
 * - `rooms:list`: where the last page of the caller's rooms ended, `[activity time in ms, id]`;
 * - `rooms:browse`: where the last page of joinable rooms ended, `[folded name, id]`;
 * - `room:members`: where the last page of a room's members ended, `[time joined in ms, user id]`.
 */
export function encodeActivityCursor(position: ActivityPosition): string {
  return encode([position.activityMs, position.id]);
}

export function decodeActivityCursor(cursor: string): ActivityPosition {
  const decoded = decode(cursor);
  if (decoded.length === 2 && isCount(decoded[0]) && isId(decoded[1])) return { activityMs: decoded[0], id: decoded[1] };
  throw notOurs();
}

export function encodeJoinableCursor(position: JoinablePosition): string {
  return encode([position.nameFold, position.id]);
}

export function decodeJoinableCursor(cursor: string): JoinablePosition {
  const decoded = decode(cursor);
  if (decoded.length === 2 && typeof decoded[0] === 'string' && isId(decoded[1])) return { nameFold: decoded[0], id: decoded[1] };
  throw notOurs();
}

export function encodeMemberCursor(position: MemberPosition): string {
  return encode([position.joinedAtMs, position.userId]);
}

export function decodeMemberCursor(cursor: string): MemberPosition {
  const decoded = decode(cursor);
  if (decoded.length === 2 && isCount(decoded[0]) && isId(decoded[1])) return { joinedAtMs: decoded[0], userId: decoded[1] };
  throw notOurs();
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isId = (value: unknown): value is number => isCount(value) && value > 0;
