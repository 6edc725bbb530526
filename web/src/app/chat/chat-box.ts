import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { LIMITS, isInvisible } from '@parley/protocol';
import { SessionStore } from '../core/session.store';
import { Avatar } from '../people/avatar';
import { RoomIcon } from '../rooms/room-icon';
import { ChatStore, type ChatBox as Box } from './chat.store';
import { MessageText } from './message-text';

/** How close to the top, in pixels, scrolling starts loading older messages. */
const LOAD_OLDER_MARGIN = 48;

/** One docked chat: a direct chat or a group room, collapsible and closable, with its composer. */
@Component({
  selector: 'app-chat-box',
  imports: [Avatar, DatePipe, MessageText, RoomIcon],
  templateUrl: './chat-box.html',
  styleUrl: './chat-box.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class.collapsed]': 'box().collapsed' },
})
export class ChatBoxComponent {
  readonly box = input.required<Box>();

  private readonly chat = inject(ChatStore);
  private readonly me = inject(SessionStore).user;
  private readonly scroller = viewChild<ElementRef<HTMLElement>>('scroller');
  private readonly composer = viewChild<ElementRef<HTMLTextAreaElement>>('composer');

  protected readonly draft = signal('');
  protected readonly blank = computed(() => isInvisible(this.draft()));
  protected readonly maxBody = LIMITS.bodyMax;
  protected readonly myId = computed(() => this.me()?.id);
  protected readonly room = computed(() => this.box().room);
  protected readonly title = computed(() => {
    const room = this.room();
    return room.peer ? `${room.peer.firstName} ${room.peer.lastName}` : (room.name ?? 'Room');
  });
  protected readonly regionLabel = computed(() => (this.room().peer ? `Chat with ${this.title()}` : `Room ${this.title()}`));

  /** Where the view was, measured from the bottom, when older messages were asked for. */
  private keepFromBottom: number | null = null;

  constructor() {
    afterRenderEffect(() => {
      const { conversation } = this.box();
      const element = this.scroller()?.nativeElement;
      if (!element || conversation.loadingOlder || this.keepFromBottom === null) return;
      element.scrollTop = -this.keepFromBottom;
      this.keepFromBottom = null;
    });
    // A box that does not fill up with the messages it has fetches older ones until it does, or there are none.
    afterRenderEffect(() => {
      const { conversation, collapsed } = this.box();
      const element = this.scroller()?.nativeElement;
      if (!element || collapsed || conversation.reachedStart || conversation.loadingOlder) return;
      if (element.scrollHeight <= element.clientHeight) this.loadOlder();
    });
    afterRenderEffect(() => {
      if (this.chat.focusRequest() !== this.room().id) return;
      this.composer()?.nativeElement.focus();
      this.chat.focusHandled();
    });
  }

  protected onScroll(): void {
    const element = this.scroller()?.nativeElement;
    if (!element) return;
    // The list is laid out bottom-up (column-reverse), so scrollTop runs from 0 at the bottom to negative values above.
    if (element.scrollHeight - element.clientHeight + element.scrollTop < LOAD_OLDER_MARGIN) this.loadOlder();
  }

  protected loadOlder(): void {
    const { conversation } = this.box();
    if (conversation.reachedStart || conversation.loadingOlder) return;
    const element = this.scroller()?.nativeElement;
    // Older messages go in above; keep the distance from the bottom so what is on screen stays put.
    // (Chrome keeps a scroller that is at its very top pinned there when content is added above.)
    if (element) this.keepFromBottom = -element.scrollTop;
    void this.chat.loadOlder(conversation.roomId);
  }

  protected onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.send();
  }

  protected send(event?: Event): void {
    event?.preventDefault();
    const body = this.draft();
    if (this.blank()) return;
    this.draft.set('');
    void this.chat.send(this.room().id, body);
  }

  protected retry(clientId: string): void {
    void this.chat.retry(this.room().id, clientId);
  }

  protected toggle(): void {
    this.chat.toggleCollapsed(this.room().id);
  }

  protected close(): void {
    this.chat.close(this.room().id);
  }
}
