import { AppError } from './errors.js';

/**
 * The cursors of paged lists, opaque to clients: base64url of a JSON array of where the last page ended. One
 * that does not decode to an array is refused, never read as "from the start"; each list checks the values.
 */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded)) return decoded;
  } catch {
    // Not JSON: refused below, like any other cursor the server did not give.
  }
  throw invalidCursor();
}

export const invalidCursor = () =>
  new AppError('invalid', 'The cursor is not one this server gave.', { cursor: 'is not a cursor this server gave' });
