import { AppError } from '../errors.js';
import type { JoinablePosition } from '../store/store.js';

/**
 * The `rooms:list` cursor: where the last page of joinable rooms ended, as base64url of `[folded name, id]`.
 * Opaque to clients; one that does not decode is refused, not read as "from the start".
 */
export function encodeJoinableCursor(position: JoinablePosition): string {
  return Buffer.from(JSON.stringify([position.nameFold, position.id]), 'utf8').toString('base64url');
}

export function decodeJoinableCursor(cursor: string): JoinablePosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (
    Array.isArray(decoded) &&
    decoded.length === 2 &&
    typeof decoded[0] === 'string' &&
    Number.isSafeInteger(decoded[1]) &&
    decoded[1] > 0
  ) {
    return { nameFold: decoded[0], id: decoded[1] };
  }
  throw new AppError('invalid', 'The cursor is not one this server gave.', { cursor: 'is not a cursor this server gave' });
}
