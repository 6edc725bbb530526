import { roomNameFold, roomNameKey } from '../rooms/room-name-key.js';

/**
 * The name key and folded name of each existing group room, for a migration that changes how they are computed, taken in
 * `rooms`' order (oldest first). Where two rooms' names now have one key (a room "Ореn Room", in Cyrillic,
 * created beside "Open Room" before keys were skeletons), the older room keeps the key and each younger one
 * gets it followed by U+001F and its id. Both rooms stay as they were, with their names, members and
 * messages, and no new room can take either name. A new room's key never holds U+001F (names refuse control
 * characters), so a suffixed key collides with nothing created later.
 */
export function recomputeRoomNames(
  rooms: readonly { id: number; name: string }[],
): { id: number; key: string; fold: string }[] {
  const taken = new Set<string>();
  return rooms.map(({ id, name }) => {
    let key = roomNameKey(name);
    while (taken.has(key)) key = `${key}\u001f${id}`;
    taken.add(key);
    return { id, key, fold: roomNameFold(name) };
  });
}

/**
 * A key that no room has, for the moment between the old keys and the new ones: rewriting keys in place
 * one row at a time would otherwise trip the unique constraint when a room's new key is another's old one.
 */
export function placeholderNameKey(id: number): string {
  return `\u001fmigrating ${id}`;
}

/**
 * The smallest string above every string that starts with `prefix`, in code point order (the order of UTF-8
 * bytes, in which SQLite's BINARY and PostgreSQL's "C" collations compare keys); null when there is none,
 * as for the empty prefix. `column >= prefix AND column < end` is then a prefix match that an index can serve.
 */
export function prefixEnd(prefix: string): string | null {
  const points = [...prefix].map((char) => char.codePointAt(0)!);
  while (points.length > 0) {
    let last = points.pop()! + 1;
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
  }
  return null;
}

/**
 * How the directory's search reads a name fold for a prefix (see migrations 6 and 7): a prefix of one to three code
 * points from the index on the fold's first that many (in which each bucket is in username order, so a page costs a
 * page); a longer one from the index on the whole fold, over every match, sorted: few enough from the fourth letter
 * on (a common name's first four, a few per cent of everyone) that reading them all costs less than walking a
 * bucket in username order past those who do not match.
 */
export type NamePrefixShape = 1 | 2 | 3 | 'range';

export function namePrefixShape(prefix: string): NamePrefixShape {
  const letters = [...prefix].length;
  return letters === 1 || letters === 2 || letters === 3 ? letters : 'range';
}
