import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import type { Room } from '@parley/protocol';
import { ChatStore } from '../chat/chat.store';
import { SessionStore } from '../core/session.store';
import { SidebarViewStore, type SidebarView } from '../shell/sidebar-view';
import { Avatar } from '../people/avatar';
import { RoomIcon } from '../rooms/room-icon';
import { Icon } from '../ui/icon';
import { chatName, chatPreview, chatTime } from './chat-name';
import { ChatsStore } from './chats.store';

/**
 * Every conversation of mine, direct and group, most recently active first, as the server counts them:
 * right after a reload, on another device, after a restart. A row opens its chat; its bell mutes it.
 */
@Component({
  selector: 'app-chats-list',
  imports: [Avatar, Icon, RoomIcon],
  template: `
    <h2 id="chats-heading">Chats</h2>
    <ul aria-labelledby="chats-heading">
      @for (room of chats.chats(); track room.id) {
        <li class="chat" [class.unread]="room.unread > 0" [class.muted]="room.muted">
          <!--
            Named by its text, so that the name holds what is shown (WCAG 2.5.3); the time and the preview, shown but
            not part of the name, are its description.
          -->
          <button type="button" class="open" (click)="open(room)" [attr.aria-describedby]="'chat-preview-' + room.id">
            @if (room.peer; as peer) {
              <app-avatar [username]="peer.username" [firstName]="peer.firstName" [lastName]="peer.lastName" decorative />
            } @else {
              <app-room-icon class="icon" [locked]="room.protected" />
            }
            <span class="who">
              <span class="line">
                <span class="visually-hidden">{{ room.peer ? 'Chat with' : 'Open room' }} </span><bdi class="name">{{ name(room) }}</bdi><span class="visually-hidden">{{ details(room) }}</span>
                @if (room.muted) {
                  <app-icon class="muted-icon" name="bell-off" [size]="14" />
                }
                <time class="time" [attr.datetime]="room.lastActivityAt" aria-hidden="true">{{ time(room.lastActivityAt) }}</time>
              </span>
              <span class="line">
                <span class="preview" [id]="'chat-preview-' + room.id" aria-hidden="true">{{ preview(room) }}</span>
                @if (room.unread > 0) {
                  <span class="badge" aria-hidden="true">{{ room.unread }}</span>
                }
              </span>
            </span>
          </button>
          <button type="button" class="mute" (click)="chats.setMuted(room.id, !room.muted)"
            [attr.aria-label]="(room.muted ? 'Unmute ' : 'Mute ') + name(room)" [attr.aria-pressed]="room.muted">
            <app-icon [name]="room.muted ? 'bell-off' : 'bell'" />
          </button>
        </li>
      } @empty {
        @if (chats.loaded()) {
          <li class="empty">
            No chats yet
            <span class="starts">
              <button type="button" class="start" (click)="show('people')">New chat</button>
              <button type="button" class="start" (click)="show('rooms')">Find a room</button>
            </span>
          </li>
        } @else if (chats.failed()) {
          <li class="empty" role="alert">
            Your chats could not be loaded.
            <span class="starts"><button type="button" class="start" (click)="chats.reload()">Try again</button></span>
          </li>
        } @else {
          <!-- The page's frame says the same while the code comes (web/src/index.html). -->
          <li class="empty">Loading your chats…</li>
        }
      }
    </ul>
  `,
  styleUrls: ['../people/sidebar-list.css', './chats-list.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatsList {
  protected readonly chats = inject(ChatsStore);
  private readonly chat = inject(ChatStore);
  private readonly me = inject(SessionStore).user;
  private readonly sidebar = inject(SidebarViewStore);
  private readonly document = inject(DOCUMENT);

  protected readonly name = chatName;
  protected readonly time = (iso: string) => chatTime(iso);

  protected preview(room: Room): string {
    return chatPreview(room, this.me()?.id);
  }

  /** What the row's name says after the chat's name: "(password protected, 3 unread, muted)", or nothing. */
  protected details(room: Room): string {
    const parts = [];
    if (room.protected) parts.push('password protected');
    if (room.unread > 0) parts.push(`${room.unread} unread`);
    if (room.muted) parts.push('muted');
    return parts.length > 0 ? `(${parts.join(', ')})` : '';
  }

  /** Shows another view; the keyboard goes to its tab, since the button pressed is hidden with this list. */
  protected show(view: SidebarView): void {
    this.sidebar.show(view);
    this.document.getElementById(`view-tab-${view}`)?.focus();
  }

  protected open(room: Room): void {
    void this.chat.openRoom(room.id);
  }
}
