import { HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import type { SessionInfo } from '@parley/protocol';
import { Api } from '../core/api';

/** Where I am logged in (`GET /api/me/sessions`), and ending a session. Made with the settings page. */
@Injectable()
export class SessionsStore {
  private readonly api = inject(Api);
  private readonly list = signal<readonly SessionInfo[] | null>(null);
  /** Counts the lists asked for, so that an older answer never replaces a newer one. */
  private listing = 0;

  /** Null until the first answer. */
  readonly sessions = this.list.asReadonly();

  async load(): Promise<void> {
    const listing = ++this.listing;
    const { sessions } = await this.api.sessions();
    // This device first, where one looks for it; the others newest first, as the server lists them.
    if (listing === this.listing) this.list.set(sessions.toSorted((a, b) => Number(b.current) - Number(a.current)));
  }

  /**
   * Ends a session: its device is logged out at once. One the server no longer knows (it expired, or was ended
   * elsewhere meanwhile) is gone all the same. Revoking this device's own session logs this browser out: the caller
   * leaves for the log-in page.
   */
  async revoke(session: SessionInfo): Promise<void> {
    try {
      await this.api.revokeSession(session.id);
    } catch (error) {
      if (!(error instanceof HttpErrorResponse && error.status === 404)) throw error;
    }
    this.listing += 1;
    this.list.update((sessions) => sessions?.filter((each) => each.id !== session.id) ?? null);
  }
}
