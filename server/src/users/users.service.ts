import type { DirectoryUser } from '@parley/protocol';
import type { Presence } from '../presence/presence.js';
import type { Store } from '../store/store.js';

export class UsersService {
  constructor(
    private readonly store: Store,
    private readonly presence: Presence,
  ) {}

  /** Everyone who has an account, with whether they are online now. */
  async directory(): Promise<DirectoryUser[]> {
    const [users, online] = await Promise.all([this.store.listUsers(), this.presence.onlineUserIds()]);
    return users.map((user) => ({ ...user, online: online.has(user.id) }));
  }
}
