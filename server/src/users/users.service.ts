import { LIMITS, type UsersQuery, type UsersResponse } from '@parley/protocol';
import type { Session } from '../auth/session.js';
import { usernameKey } from '../auth/usernames.js';
import { decodeCursor, encodeCursor, invalidCursor } from '../cursor.js';
import type { BlocksService } from '../blocks/blocks.service.js';
import type { Presence } from '../presence/presence.js';
import type { Store } from '../store/store.js';
import { personNameFold } from './name-fold.js';

/** The query string as validated: `limit` read as a number. */
export type UsersPageInput = Omit<UsersQuery, 'limit'> & { limit?: number };

export class UsersService {
  constructor(
    private readonly store: Store,
    private readonly presence: Presence,
    private readonly blocks: BlocksService,
  ) {}

  /**
   * A page of the directory, ordered by username (case ignored): the people whose username, whole name or last
   * name starts with `query` (case and accents ignored), each with whether they are online now. Deleted accounts
   * are left out, and so are those who blocked the viewer; those the viewer blocked show as offline.
   */
  async page(viewer: Session, input: UsersPageInput): Promise<UsersResponse> {
    const limit = input.limit ?? LIMITS.usersPageDefault;
    const prefix = personNameFold(input.query?.trimStart() ?? '');
    // One more than the page tells whether another follows, without counting.
    const found = await this.store.listUsersPage({
      prefix: prefix === '' ? undefined : prefix,
      afterKey: input.cursor === undefined ? undefined : decodeUsersCursor(input.cursor),
      limit: limit + 1,
    });
    const page = found.slice(0, limit);
    const { hidden, blockers } = await this.blocks.relationsOf(viewer.user.id, page.map((user) => user.id));
    // Left out after the page is cut: the cursor goes on from the last one read, shown or not.
    const users = page.filter((user) => !blockers.has(user.id));
    const online = await this.presence.onlineAmong(users.map((user) => user.id));
    const last = page.at(-1);
    return {
      users: users.map((user) => ({ ...user, online: online.has(user.id) && !hidden.has(user.id) })),
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
