import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, signal, viewChild } from '@angular/core';
import type { Room } from '@parley/protocol';
import { ChatBoxComponent } from '../chat/chat-box';
import { ChatStore } from '../chat/chat.store';
import { chatName } from '../chats/chat-name';
import { RoomsStore } from '../rooms/rooms.store';
import { Icon } from '../ui/icon';
import { DockStore } from './dock.store';

/**
 * The chat boxes docked at the bottom right, side by side, as many as fit; a "+N" button lists those open
 * without space on screen, and a banner offers a chat that wrote while a box could not open. On a wide screen
 * the chat I chose fills the stage between the sidebar and the boxes.
 */
@Component({
  selector: 'app-chat-dock',
  imports: [ChatBoxComponent, Icon],
  template: `
    @if (dock.layout().stage) {
      <div class="stage">
        <!-- Tracked by room, as the boxes are: another chat on the stage is another box, with its own draft and place. -->
        @for (box of stage(); track box.room.id) {
          <app-chat-box [box]="box" [staged]="true" />
        } @empty {
          <p class="stage-empty">Choose a chat from the list, or find someone under New chat.</p>
        }
      </div>
    }
    @if (hidden().length > 0) {
      <div class="more" (keydown.escape)="closeMenu($event)">
        <button #moreButton type="button" class="more-button" (click)="menuOpen.set(!menuOpen())" [attr.aria-expanded]="menuOpen()"
          aria-controls="dock-more" [attr.aria-label]="hidden().length + ' more open ' + (hidden().length === 1 ? 'chat' : 'chats')">
          +{{ hidden().length }}
          @if (hiddenUnread() > 0) {
            <span class="dot" aria-hidden="true"></span>
          }
        </button>
        @if (menuOpen()) {
          <ul id="dock-more" class="menu" aria-label="More open chats">
            @for (room of hidden(); track room.id) {
              <li>
                <button type="button" (click)="bringBack(room)" [attr.aria-label]="label(room)">
                  <bdi class="name">{{ name(room) }}</bdi>
                  @if (room.unread > 0) {
                    <span class="badge" aria-hidden="true">{{ room.unread }}</span>
                  }
                </button>
              </li>
            }
          </ul>
        }
      </div>
    }
    @for (box of chat.boxes(); track box.room.id) {
      <app-chat-box [box]="box" />
    }
    @if (banner(); as room) {
      <div class="banner" role="status">
        <span class="banner-text">New message {{ room.kind === 'direct' ? 'from' : 'in' }} <bdi>{{ name(room) }}</bdi></span>
        <button type="button" class="banner-open" (click)="openFromBanner(room)">Open</button>
        <button type="button" class="banner-dismiss" (click)="dock.dismissBanner()" aria-label="Dismiss"><app-icon name="close" [size]="16" /></button>
      </div>
    }
    <p class="visually-hidden" aria-live="polite">{{ chat.announcement() }}</p>
  `,
  styleUrl: './chat-dock.css',
  // A landmark of its own: what is outside every landmark is easy to miss, and the skip link leads here.
  host: {
    role: 'region',
    'aria-label': 'Open chats',
    '[class.overlay]': 'dock.layout().overlay',
    '[class.stage]': 'dock.layout().stage',
    '(document:keydown.escape)': 'closeTopmost($event)',
  },
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatDock {
  protected readonly chat = inject(ChatStore);
  protected readonly dock = inject(DockStore);
  private readonly rooms = inject(RoomsStore);

  protected readonly stage = computed(() => {
    const box = this.chat.stage();
    return box ? [box] : [];
  });
  protected readonly menuOpen = signal(false);
  private readonly moreButton = viewChild<ElementRef<HTMLButtonElement>>('moreButton');
  protected readonly hidden = computed(() => {
    const rooms = this.rooms.byId();
    return this.dock.hidden().flatMap((id) => rooms.get(id) ?? []);
  });
  protected readonly hiddenUnread = computed(() => this.hidden().reduce((sum, room) => sum + (room.muted ? 0 : room.unread), 0));
  /** The chat the banner offers, until it is read (here or on another device). */
  protected readonly banner = computed(() => {
    const id = this.dock.banner();
    const room = id === null ? undefined : this.rooms.byId().get(id);
    return room && room.unread > 0 ? room : null;
  });
  protected readonly name = chatName;

  protected label(room: Room): string {
    return room.unread > 0 ? `${chatName(room)}, ${room.unread} unread` : chatName(room);
  }

  /** Escape: the entry that had the keyboard goes with the menu, so the keyboard goes back to the button that opened it. */
  protected closeMenu(event: Event): void {
    if (!this.menuOpen()) return;
    // Escape is the menu's: it must not close a box as well.
    event.preventDefault();
    this.menuOpen.set(false);
    this.moreButton()?.nativeElement.focus();
  }

  /**
   * Escape that nothing else took: on a phone the box covers the page, so it closes wherever the keyboard is. (With
   * the keyboard in a box, the box closes itself; beside the sidebar, a box the person is not in stays.)
   */
  protected closeTopmost(event: Event): void {
    // A dialog's own Escape closes the dialog, not the box under it.
    if (event.defaultPrevented || !this.dock.layout().overlay || (event.target as Element | null)?.closest?.('dialog')) return;
    const topmost = this.chat.boxes().at(-1);
    if (!topmost || topmost.collapsed) return;
    event.preventDefault();
    this.chat.close(topmost.room.id);
  }

  protected bringBack(room: Room): void {
    this.menuOpen.set(false);
    void this.chat.openRoom(room.id);
  }

  protected openFromBanner(room: Room): void {
    this.dock.dismissBanner();
    void this.chat.openRoom(room.id);
  }
}
