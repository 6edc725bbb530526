import { Injectable, inject } from '@angular/core';
import { Router } from '@angular/router';
import { BlocksStore } from '../blocking/blocks.store';
import { ChatStore } from '../chat/chat.store';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { MembersStore } from '../members/members.store';
import { DirectoryStore } from '../people/directory.store';
import { NameChanges } from '../people/name-changes';
import { ReadsStore } from '../reads/reads.store';
import { JoinableRoomsStore } from '../rooms/joinable-rooms.store';
import { RoomsStore } from '../rooms/rooms.store';

/**
 * What the pages of someone signed in (the main page, the settings) share: the one connection, the stores that must
 * exist before it first connects, and the ways out. Either page may be the first one loaded, so the stores that fetch
 * on every connect, the first included, are made here rather than by the main page: a page loaded later would miss it.
 */
@Injectable({ providedIn: 'root' })
export class SignedIn {
  private readonly socket = inject(ChatSocket);
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly chat = inject(ChatStore);
  private readonly rooms = inject(RoomsStore);
  private readonly joinable = inject(JoinableRoomsStore);
  private readonly directory = inject(DirectoryStore);
  private readonly blocks = inject(BlocksStore);
  /** Set while this tab ends its own session (see `ending`). */
  private endingHere = false;

  constructor() {
    // Read markers, my role in my rooms, names and blocks change on my other devices and elsewhere too: a tab with no
    // box open, or on the settings page, must still hear of them.
    inject(ReadsStore);
    inject(MembersStore);
    inject(NameChanges);
    this.socket.onRejected(() => void this.sessionEnded());
  }

  /** Connects, unless connected already (back from the settings to the main page, say). */
  connect(): void {
    this.socket.connect();
  }

  async logOut(): Promise<void> {
    this.socket.disconnect();
    await this.session.logout().catch(() => undefined);
    await this.leave();
  }

  /**
   * Runs a request that ends this very session (revoking it, deleting the account). The server closes the socket
   * before it answers: meanwhile that is expected, not a session lost elsewhere, and the request's outcome decides.
   */
  async ending<T>(request: () => Promise<T>): Promise<T> {
    this.endingHere = true;
    try {
      return await request();
    } finally {
      this.endingHere = false;
    }
  }

  /** This session ended from here without a log-out: revoked in the settings, or the account deleted. */
  async ended(): Promise<void> {
    this.socket.disconnect();
    this.session.expired();
    await this.leave();
  }

  /** The server dropped the session (expired, or logged out in another tab): back to the log-in page. */
  private async sessionEnded(): Promise<void> {
    if (this.endingHere) return;
    await this.session.restore();
    if (this.session.loggedIn()) {
      this.socket.connect();
      return;
    }
    this.socket.disconnect();
    await this.leave();
  }

  /** Nothing of this account stays in memory for whoever logs in next in this tab. */
  private async leave(): Promise<void> {
    this.chat.reset();
    this.rooms.reset();
    this.joinable.reset();
    this.directory.reset();
    this.blocks.reset();
    await this.router.navigateByUrl('/login');
  }
}
