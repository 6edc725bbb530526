import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject } from '@angular/core';
import { Router } from '@angular/router';
import { ChatDock } from '../chat/chat-dock';
import { ChatStore } from '../chat/chat.store';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { Avatar } from '../people/avatar';
import { DirectoryStore } from '../people/directory.store';
import { PeopleList } from '../people/people-list';
import { RoomsPanel } from '../rooms/rooms-panel';
import { RoomsStore } from '../rooms/rooms.store';

const CONNECTION_LABELS = {
  offline: 'Offline',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
} as const;

/** The main screen: who I am, everyone, the rooms, and the docked chats. */
@Component({
  selector: 'app-main-page',
  imports: [Avatar, ChatDock, PeopleList, RoomsPanel],
  template: `
    <header class="topbar">
      <h1>Parley</h1>
      <p class="connection" [class]="'connection ' + socket.state()" role="status">
        <span class="signal" aria-hidden="true"></span>{{ connectionLabel() }}
      </p>
      @if (session.user(); as me) {
        <p class="me">
          <app-avatar [username]="me.username" [firstName]="me.firstName" [lastName]="me.lastName" [size]="28" />
          <bdi class="me-name">{{ me.firstName }} {{ me.lastName }}</bdi>
        </p>
      }
      <button type="button" class="logout" (click)="logout()">Log out</button>
    </header>
    <main class="sidebar">
      <app-people-list />
      <app-rooms-panel />
    </main>
    <app-chat-dock />
  `,
  styleUrl: './main-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MainPage {
  protected readonly session = inject(SessionStore);
  protected readonly socket = inject(ChatSocket);
  private readonly directory = inject(DirectoryStore);
  private readonly rooms = inject(RoomsStore);
  private readonly chat = inject(ChatStore);
  private readonly router = inject(Router);

  protected readonly connectionLabel = computed(() => CONNECTION_LABELS[this.socket.state()]);

  constructor() {
    this.socket.connect();
    void this.directory.load().catch(() => undefined);
    void this.rooms.load();
    const stopListening = [
      this.socket.onReconnected(() => void this.directory.load().catch(() => undefined)),
      this.socket.onRejected(() => void this.sessionEnded()),
    ];
    inject(DestroyRef).onDestroy(() => stopListening.forEach((stop) => stop()));
  }

  protected async logout(): Promise<void> {
    this.socket.disconnect();
    await this.session.logout().catch(() => undefined);
    await this.leave();
  }

  /** The server dropped the session (expired, or logged out in another tab): back to the log-in page. */
  private async sessionEnded(): Promise<void> {
    await this.session.restore();
    if (this.session.loggedIn()) {
      this.socket.connect();
      return;
    }
    this.socket.disconnect();
    await this.leave();
  }

  private async leave(): Promise<void> {
    this.chat.reset();
    this.rooms.reset();
    this.directory.reset();
    await this.router.navigateByUrl('/login');
  }
}
