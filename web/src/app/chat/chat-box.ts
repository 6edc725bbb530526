import { DOCUMENT, DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  EnvironmentInjector,
  afterNextRender,
  afterRenderEffect,
  computed,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { LIMITS, isInvisible, type Message } from '@parley/protocol';
import { BlockedNotice } from '../blocking/blocked-notice';
import { BlocksStore } from '../blocking/blocks.store';
import { DirectChatMenu } from '../blocking/direct-chat-menu';
import { placeInChatsList } from '../chats/place-in-chats-list';
import { PageVisibility } from '../core/page-visibility';
import { SessionStore } from '../core/session.store';
import { MessageBody } from '../markdown/message-body';
import { plainText } from '../markdown/plain-text';
import { BoxChanges } from '../message-changes/box-changes';
import { MessageEditor } from '../message-changes/message-editor';
import { MessageMenu } from '../message-changes/message-menu';
import { ReactionChips } from '../message-changes/reaction-chips';
import { ReplyQuoteView } from '../message-changes/reply-quote';
import { RoomMenu } from '../members/room-menu';
import { Avatar } from '../people/avatar';
import { DirectoryStore } from '../people/directory.store';
import { ReadsStore } from '../reads/reads.store';
import { RoomIcon } from '../rooms/room-icon';
import { typingLabel } from '../typing/typing-label';
import { TypingStore } from '../typing/typing.store';
import { Icon } from '../ui/icon';
import { ChatStore, type ChatBox as Box } from './chat.store';
import { ComposerFormat, FORMAT_TOOLS } from './composer-format';
import { untilMidnight } from './day-separators';
import { noticeText } from './notice-text';
import { hasUnreadFromOthers, timeline } from './timeline';

/** How close to the top, in pixels, scrolling starts loading older messages. */
const LOAD_OLDER_MARGIN = 48;
/** How close to the bottom, in pixels, counts as showing the newest messages. */
const AT_BOTTOM_MARGIN = 24;
/** The composer counts characters once a draft is this close to the longest message. */
const COUNT_FROM = 500;

/** One docked chat: a direct chat or a group room, collapsible and closable, with its composer. */
@Component({
  selector: 'app-chat-box',
  imports: [
    Avatar,
    BlockedNotice,
    ComposerFormat,
    DatePipe,
    DirectChatMenu,
    Icon,
    MessageBody,
    MessageEditor,
    MessageMenu,
    ReactionChips,
    ReplyQuoteView,
    RoomIcon,
    RoomMenu,
  ],
  templateUrl: './chat-box.html',
  styleUrl: './chat-box.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[class.collapsed]': 'box().collapsed', '[class.staged]': 'staged()' },
})
export class ChatBoxComponent {
  readonly box = input.required<Box>();
  /** On the stage of a wide screen: as large as the screen allows, and never collapsed. */
  readonly staged = input(false);

  protected readonly chat = inject(ChatStore);
  private readonly blocks = inject(BlocksStore);
  private readonly reads = inject(ReadsStore);
  private readonly typing = inject(TypingStore);
  private readonly directory = inject(DirectoryStore);
  private readonly pageVisible = inject(PageVisibility).visible;
  private readonly me = inject(SessionStore).user;
  private readonly document = inject(DOCUMENT);
  /** Outlives this box: what runs once the box is gone needs an injector that is not destroyed with it. */
  private readonly environment = inject(EnvironmentInjector);
  private readonly scroller = viewChild<ElementRef<HTMLElement>>('scroller');
  private readonly composer = viewChild<ElementRef<HTMLTextAreaElement>>('composer');
  /** Absent on the stage, where a chat is never collapsed. */
  private readonly toggleButton = viewChild<ElementRef<HTMLButtonElement>>('toggleButton');
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  /** What had the keyboard when the person opened this box: where it goes back when the box closes. */
  private opener: HTMLElement | null = null;

  protected readonly draft = signal('');
  protected readonly blank = computed(() => isInvisible(this.draft()));
  protected readonly maxBody = LIMITS.bodyMax;
  /**
   * Characters past the longest message the server takes. A paste is never cut short in silence: the draft
   * keeps it all, and says how much is too much, until it is shortened.
   */
  protected readonly excess = computed(() => Math.max(0, this.draft().length - this.maxBody));
  /** The count under the composer, once the draft nears the limit; null before. */
  protected readonly count = computed(() => {
    const length = this.draft().length;
    if (length <= this.maxBody - COUNT_FROM) return null;
    const excess = this.excess();
    if (excess > 0) return `${excess.toLocaleString()} ${excess === 1 ? 'character' : 'characters'} too many`;
    return `${length.toLocaleString()} / ${this.maxBody.toLocaleString()}`;
  });
  protected readonly cannotSend = computed(() => this.blank() || this.excess() > 0);
  protected readonly formatTools = FORMAT_TOOLS;
  /**
   * A touch screen's keyboard has no Shift to hold for a new line: there Enter adds one, and the Send button
   * sends, as in every phone messenger. With a pointer and a keyboard, Enter sends and Shift+Enter adds a line.
   */
  protected readonly enterAddsLine = this.document.defaultView?.matchMedia?.('(pointer: coarse)').matches ?? false;
  protected readonly myId = computed(() => this.me()?.id);
  /** The message the composer answers, and the one edited in place. */
  protected readonly changes = new BoxChanges(() => this.myId());
  protected readonly preview = (message: Message) => plainText(message.body);
  /** The message a quote was clicked to show, marked for a moment once it is in view. */
  protected readonly sought = signal<number | null>(null);
  /** Whether the last press on a message was a finger's: a long press then opens its actions. */
  private touched = false;
  protected readonly noticeText = (message: Message) => noticeText(message, this.myId());
  protected readonly room = computed(() => this.box().room);
  protected readonly title = computed(() => {
    const room = this.room();
    return room.peer ? `${room.peer.firstName} ${room.peer.lastName}` : (room.name ?? 'Room');
  });
  /** The other person of a direct chat, when I blocked them. */
  protected readonly blockedPeer = computed(() => {
    const peer = this.room().peer;
    return peer && this.blocks.ids().has(peer.id) ? peer : null;
  });
  protected readonly regionLabel = computed(() => (this.room().peer ? `Chat with ${this.title()}` : `Room ${this.title()}`));
  /** "Collapse Chat with Alice Smith"; folded, "Expand Chat with Alice Smith, 3 unread" when there is something new. */
  protected readonly toggleLabel = computed(() => {
    const { collapsed, room } = this.box();
    if (!collapsed) return `Collapse ${this.regionLabel()}`;
    return room.unread > 0 ? `Expand ${this.regionLabel()}, ${room.unread} unread` : `Expand ${this.regionLabel()}`;
  });

  /** Whether the newest messages are on screen (the list is laid out bottom-up: scrollTop 0 is the bottom). */
  private readonly atBottom = signal(true);
  /** The newest seq when the view left the bottom; what arrives after it counts for "Jump to latest". */
  private readonly leftBottomAt = signal<number | null>(null);
  /**
   * The read marker the "New messages" divider goes after, taken when the box opened with unread messages or
   * when they arrived unseen. It holds while they are read, so the divider does not vanish the moment they are.
   */
  private readonly unreadAfter = signal<number | null>(null);
  /**
   * Everything the divider marked is read (here or on another device): the next message that arrives unseen
   * is where the new ones start, and takes the divider.
   */
  private readThrough = true;
  /** Today's date, renewed at midnight: what "Today" and "Yesterday" mean. */
  private readonly today = signal(new Date());

  protected readonly entries = computed(() =>
    timeline(this.box().conversation.messages, {
      me: this.myId(),
      unreadAfter: this.unreadAfter(),
      peerLastReadSeq: this.room().peer ? (this.room().peerLastReadSeq ?? 0) : null,
      now: this.today(),
    }),
  );

  /** Messages that arrived since the view left the bottom. */
  protected readonly arrivedBelow = computed(() => {
    const since = this.leftBottomAt();
    return since === null ? 0 : this.box().conversation.messages.filter((message) => message.seq > since).length;
  });

  protected readonly typingText = computed(() => {
    const ids = this.typing.byRoom().get(this.room().id) ?? [];
    return typingLabel(ids.map((id) => this.firstNameOf(id)));
  });

  /** Where the view was, measured from the bottom, when older messages were asked for. */
  private keepFromBottom: number | null = null;
  /** The box has not been drawn yet: what is unread now was unread when it opened. */
  private opening = true;

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
      const active = this.document.activeElement;
      if (this.chat.focusOnOpening() && active instanceof HTMLElement && active !== this.document.body && !this.host.nativeElement.contains(active)) {
        this.opener = active;
      }
      (this.composer() ?? this.toggleButton())?.nativeElement.focus();
      this.chat.focusHandled();
    });
    // A list drawn anew (the box expanded) starts at the bottom.
    afterRenderEffect(() => {
      if (!this.scroller()) return;
      this.atBottom.set(true);
      this.leftBottomAt.set(null);
    });
    // A chat is read when its box is open, the page is on screen and the newest messages are in view.
    afterRenderEffect(() => {
      const { room, conversation, collapsed } = this.box();
      const reading = !collapsed && this.pageVisible() && this.atBottom();
      const opening = this.opening;
      this.opening = false;
      const unread = hasUnreadFromOthers(conversation.messages, room.lastReadSeq, this.myId());
      if (!unread) this.readThrough = true;
      else if (this.readThrough && (opening || !reading)) {
        this.unreadAfter.set(room.lastReadSeq);
        this.readThrough = false;
      }
      const newest = conversation.messages.at(-1)?.seq ?? 0;
      // Not in a room I was removed from: it is no longer mine to read.
      if (reading && room.joined && newest > room.lastReadSeq) this.reads.markRead(room.id, newest);
    });

    let midnight: ReturnType<typeof setTimeout>;
    const renewAtMidnight = () => {
      midnight = setTimeout(() => {
        this.today.set(new Date());
        renewAtMidnight();
      }, untilMidnight(new Date()) + 1000);
    };
    renewAtMidnight();
    inject(DestroyRef).onDestroy(() => clearTimeout(midnight));
  }

  protected onScroll(): void {
    const element = this.scroller()?.nativeElement;
    if (!element) return;
    // The list is laid out bottom-up (column-reverse), so scrollTop runs from 0 at the bottom to negative values above.
    if (element.scrollHeight - element.clientHeight + element.scrollTop < LOAD_OLDER_MARGIN) this.loadOlder();
    const atBottom = element.scrollTop > -AT_BOTTOM_MARGIN;
    if (atBottom === this.atBottom()) return;
    this.atBottom.set(atBottom);
    this.leftBottomAt.set(atBottom ? null : (this.box().conversation.messages.at(-1)?.seq ?? 0));
  }

  /** Scrolls to the newest messages, which reads them. */
  protected jumpToLatest(): void {
    this.scrollToBottom();
    // The button goes away; the keyboard's place is the composer.
    this.composer()?.nativeElement.focus();
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

  protected onInput(value: string): void {
    this.draft.set(value);
    if (isInvisible(value)) this.typing.draftEnded(this.room().id);
    else this.typing.typed(this.room().id);
  }

  protected onKeydown(event: KeyboardEvent): void {
    // Up in an empty composer edits my last message, as in most messengers.
    if (event.key === 'ArrowUp' && this.draft() === '' && !event.isComposing) {
      const last = this.changes.lastEditable(this.box().conversation.messages);
      if (last) {
        event.preventDefault();
        this.changes.editingId.set(last.id);
      }
      return;
    }
    if (event.key === 'Escape' && this.changes.replyingTo()) {
      event.preventDefault();
      this.cancelReply();
      return;
    }
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || this.enterAddsLine) return;
    event.preventDefault();
    this.send();
  }

  protected send(event?: Event): void {
    event?.preventDefault();
    const body = this.draft();
    if (this.cannotSend()) return;
    this.draft.set('');
    this.typing.draftEnded(this.room().id);
    // Answering means what came before is read: the divider has done its work, and the view follows the reply.
    this.unreadAfter.set(null);
    this.readThrough = true;
    this.scrollToBottom();
    const answered = this.changes.replyingTo();
    this.changes.replyingTo.set(null);
    void this.chat.send(this.room().id, body, answered?.id);
  }

  protected replyTo(message: Message): void {
    this.changes.replyingTo.set(message);
    this.composer()?.nativeElement.focus();
  }

  protected cancelReply(): void {
    this.changes.replyingTo.set(null);
    this.composer()?.nativeElement.focus();
  }

  /** An edit saved or given up: the keyboard goes back to the composer. */
  protected editDone(): void {
    this.changes.editingId.set(null);
    this.composer()?.nativeElement.focus();
  }

  protected notePointer(event: PointerEvent): void {
    this.touched = event.pointerType === 'touch';
  }

  /** A long press on a touch screen (which shows no hover) opens the message's actions instead of the page's menu. */
  protected longPressed(event: Event): void {
    if (!this.touched) return;
    const trigger = (event.currentTarget as HTMLElement).querySelector<HTMLButtonElement>('app-message-menu .trigger');
    if (!trigger) return;
    event.preventDefault();
    trigger.click();
  }

  /**
   * Brings a message into view (a reply's quote was clicked), loading older pages until it is here or the history
   * ends, and takes the keyboard to it.
   */
  protected async seek(seq: number): Promise<void> {
    const roomId = this.room().id;
    const oldest = () => this.chat.conversation(roomId)?.messages[0]?.seq ?? Infinity;
    while (oldest() > seq && !this.chat.conversation(roomId)?.reachedStart) {
      const before = oldest();
      await this.chat.loadOlder(roomId);
      // Refused: no further this time.
      if (oldest() === before) break;
    }
    afterNextRender(
      () => {
        const item = this.scroller()?.nativeElement.querySelector<HTMLElement>(`li[data-seq="${seq}"]`);
        if (!item) return;
        item.scrollIntoView({ block: 'center' });
        item.focus({ preventScroll: true });
        this.sought.set(seq);
        setTimeout(() => this.sought.update((current) => (current === seq ? null : current)), 2000);
      },
      { injector: this.environment },
    );
  }

  protected retry(clientId: string): void {
    void this.chat.retry(this.room().id, clientId);
  }

  protected toggle(): void {
    this.chat.toggleCollapsed(this.room().id);
  }

  /** Escape closes the box, unless something inside it (a menu, say) took the key for itself. */
  protected onEscape(event: Event): void {
    if (event.defaultPrevented || (event as KeyboardEvent).isComposing) return;
    event.preventDefault();
    this.close();
  }

  protected close(): void {
    const roomId = this.room().id;
    const opener = this.opener;
    this.chat.close(roomId);
    // The button pressed goes away with the box: the keyboard goes back to what opened it if it is still there, else
    // to where the chat is listed, never to the page.
    // (Focusing an element that is gone or hidden does nothing: then the list is next.)
    const giveBack = () => {
      opener?.focus();
      if (!opener || this.document.activeElement !== opener) placeInChatsList(this.document, roomId)?.focus();
    };
    giveBack();
    // On a phone the sidebar under the box is inert until the page is drawn without the box, and takes no focus
    // before then: the keyboard is still in this box, so it goes back once the box is gone.
    if (this.host.nativeElement.contains(this.document.activeElement)) afterNextRender(giveBack, { injector: this.environment });
  }

  private scrollToBottom(): void {
    const element = this.scroller()?.nativeElement;
    if (element) element.scrollTop = 0;
    this.atBottom.set(true);
    this.leftBottomAt.set(null);
  }

  /** A typist's first name: the peer of a direct chat, else an author in the chat, else from the directory. */
  private firstNameOf(userId: number): string {
    const { room, conversation } = this.box();
    if (room.peer?.id === userId) return room.peer.firstName;
    const author = conversation.messages.findLast((message) => message.authorId === userId)?.author;
    return author?.firstName ?? this.directory.find(userId)?.firstName ?? 'Someone';
  }
}
