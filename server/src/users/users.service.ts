import { LIMITS, type UsersQuery, type UsersResponse } from '@parley/protocol';
import { usernameKey } from '../auth/usernames.js';
import { decodeCursor, encodeCursor, invalidCursor } from '../cursor.js';
import type { Presence } from '../presence/presence.js';
import type { Store } from '../store/store.js';
import { personNameFold } from './name-fold.js';

/** The query string as validated: `limit` read as a number. */
export type UsersPageInput = Omit<UsersQuery, 'limit'> & { limit?: number };

export class UsersService {
  constructor(
    private readonly store: Store,
    private readonly presence: Presence,
  ) {}

  /**
   * A page of the directory, ordered by username (case ignored): the people whose username, whole name or last
   * name starts with `query` (case and accents ignored), each with whether they are online now.
   */
  async page(input: UsersPageInput): Promise<UsersResponse> {
    const limit = input.limit ?? LIMITS.usersPageDefault;
    const prefix = personNameFold(input.query?.trimStart() ?? '');
    // One more than the page tells whether another follows, without counting.
    const found = await this.store.listUsersPage({
      prefix: prefix === '' ? undefined : prefix,
      afterKey: input.cursor === undefined ? undefined : decodeUsersCursor(input.cursor),
      limit: limit + 1,
    });
    const users = found.slice(0, limit);
    const online = await this.presence.onlineAmong(users.map((user) => user.id));
    const last = users.at(-1);
    return {
      users: users.map((user) => ({ ...user, online: online.has(user.id) })),
      nextCursor: found.length > limit && last ? encodeCursor([usernameKey(last.username)]) : null,
    };
  }
}

const USERNAME_KEY = new RegExp(`^[a-z0-9_.-]{1,${LIMITS.usernameMax}}$`);

/** Where the last page ended: `[username key]`. */
function decodeUsersCursor(cursor: string): string {
  const decoded = decodeCursor(cursor);
  if (decoded.length === 1 && typeof decoded[0] === 'string' && USERNAME_KEY.test(decoded[0])) return decoded[0];
  throw invalidCursor();
}
