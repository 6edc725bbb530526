import { Injectable, inject } from '@angular/core';
import type { AccountDeleteInput, PasswordChangeInput, ProfileUpdateInput } from '@parley/protocol';
import { Api } from '../core/api';
import { SessionStore } from '../core/session.store';
import { SessionsStore } from './sessions.store';

/** My account as the settings change it: my name, my password, and deleting it. Failures reach the form as thrown. */
@Injectable()
export class AccountStore {
  private readonly api = inject(Api);
  private readonly session = inject(SessionStore);
  private readonly sessions = inject(SessionsStore);

  /** My new name shows here at once; everyone else's devices, and my others, hear of it (`user:updated`). */
  async rename(input: ProfileUpdateInput): Promise<void> {
    const { user } = await this.api.updateProfile(input);
    this.session.renamed(user);
  }

  /** The server ends my other sessions: the list of them is asked for again, to show this one alone. */
  async changePassword(input: PasswordChangeInput): Promise<void> {
    await this.api.changePassword(input);
    void this.sessions.load().catch(() => undefined);
  }

  /** Deletes my account; the server clears the session cookie. The caller leaves for the log-in page. */
  async delete(input: AccountDeleteInput): Promise<void> {
    await this.api.deleteAccount(input);
  }
}
