import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, DestroyRef, ElementRef, Injector, afterNextRender, computed, effect, inject, linkedSignal, signal, viewChild } from '@angular/core';
import { RouterLink } from '@angular/router';
import { ChatStore } from '../chat/chat.store';
import { ChatsList } from '../chats/chats-list';
import { placeInChatsList } from '../chats/place-in-chats-list';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { ChatDock } from '../dock/chat-dock';
import { fitDockToWindow } from '../dock/dock-layout';
import { loadMarkdown } from '../markdown/markdown-parser';
import { DesktopNotifications } from '../notifications/desktop-notifications';
import { UnreadSigns } from '../notifications/unread-signs';
import { Avatar } from '../people/avatar';
import { DirectoryStore } from '../people/directory.store';
import { PeopleList } from '../people/people-list';
import { RoomsPanel } from '../rooms/rooms-panel';
import { Icon } from '../ui/icon';
import { SidebarViewStore, type SidebarView } from './sidebar-view';
import { SignedIn } from './signed-in';

const SIDEBAR_VIEWS: readonly { id: SidebarView; label: string }[] = [
  { id: 'chats', label: 'Chats' },
  { id: 'people', label: 'New chat' },
  { id: 'rooms', label: 'Rooms' },
];

/** Where an open box covers the whole page below the top bar (chat-box.css says the same). */
const PHONE_QUERY = '(max-width: 640px)';

const CONNECTION_LABELS = {
  offline: 'Offline',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
} as const;

/** The main screen: who I am, my chats, starting a new one, the rooms, and the docked chats. */
@Component({
  selector: 'app-main-page',
  imports: [Avatar, ChatDock, ChatsList, Icon, PeopleList, RoomsPanel, RouterLink],
  providers: [UnreadSigns],
  // On a phone an open chat fills the screen below the top bar, however many rows the bar wraps to.
  host: { '[style.--topbar-height.px]': 'topbarHeight()' },
  template: `
    <!-- First in the Tab order: the open boxes come last in it, behind every chat, person and room. -->
    <button type="button" class="skip-link" (click)="skipToChats()">{{ chat.stage() || chat.boxes().length > 0 ? 'Skip to open chats' : 'Skip to chats' }}</button>
    <header class="topbar" #topbar>
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
      <div class="actions">
        @if (notifications.permission() !== 'unsupported') {
          <!-- Blocked, it stays focusable (aria-disabled, not disabled): a click shows why, and how to allow them. -->
          <button type="button" class="action" (click)="toggleNotifications()" [attr.aria-disabled]="blocked() ? 'true' : null"
            [attr.aria-describedby]="blockedHint() ? 'notifications-blocked' : null">
            <app-icon [name]="notifications.on() ? 'bell' : 'bell-off'" />
            <span class="action-label">{{ notificationsLabel() }}</span>
          </button>
        }
        <button type="button" class="action" (click)="notifications.toggleSound()" [attr.aria-pressed]="notifications.sound()">
          <app-icon [name]="notifications.sound() ? 'sound' : 'sound-off'" />
          <span class="action-label">Sound</span>
        </button>
        <a class="action" routerLink="/settings"><app-icon name="settings" /><span class="action-label">Settings</span></a>
        <button type="button" class="logout" (click)="signedIn.logOut()">Log out</button>
      </div>
      @if (blockedHint()) {
        <p id="notifications-blocked" class="blocked-hint" role="status">
          Notifications are blocked for this site in the browser’s settings: allow them there, then turn them on here.
        </p>
      }
    </header>
    <!-- Under a box that covers it, the sidebar is inert: the keyboard and a screen reader stay in the box and the top bar. -->
    <main class="sidebar" [attr.inert]="sidebarCovered() ? '' : null">
      <!-- Chats first; starting a chat and the rooms each in a view of their own, so the sidebar is never one long list. -->
      <div class="views" role="tablist" aria-label="Sidebar" (keydown)="moveBetweenViews($event)">
        @for (each of views; track each.id) {
          <button type="button" role="tab" class="view-tab" [id]="'view-tab-' + each.id" [attr.aria-selected]="view() === each.id"
            [attr.aria-controls]="drawn().has(each.id) ? 'view-' + each.id : null" [tabIndex]="view() === each.id ? 0 : -1"
            (click)="sidebar.show(each.id)">{{ each.label }}</button>
        }
      </div>
      <!-- A view is made the first time it is shown, and kept (what was typed in it stays) while another shows. -->
      <app-chats-list id="view-chats" role="tabpanel" aria-labelledby="view-tab-chats" [hidden]="view() !== 'chats'" />
      @if (drawn().has('people')) {
        <app-people-list id="view-people" role="tabpanel" aria-labelledby="view-tab-people" [hidden]="view() !== 'people'" />
      }
      @if (drawn().has('rooms')) {
        <app-rooms-panel id="view-rooms" role="tabpanel" aria-labelledby="view-tab-rooms" [hidden]="view() !== 'rooms'" />
      }
    </main>
    <!--
      The boxes and all they need (the composer, the menus, the dialogs) come in a chunk of their own once the page is
      drawn: the page's first task stays short, and a box opened meanwhile shows as the chunk arrives.
    -->
    @defer (on idle) {
      <app-chat-dock />
    } @error {
      <p class="dock-failed" role="alert">Chats could not be opened here. Check your connection, then reload the page.</p>
    }
  `,
  styleUrl: './main-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MainPage {
  protected readonly session = inject(SessionStore);
  protected readonly socket = inject(ChatSocket);
  protected readonly notifications = inject(DesktopNotifications);
  private readonly directory = inject(DirectoryStore);
  protected readonly chat = inject(ChatStore);
  protected readonly signedIn = inject(SignedIn);
  private readonly document = inject(DOCUMENT);
  private readonly injector = inject(Injector);

  private readonly topbar = viewChild.required<ElementRef<HTMLElement>>('topbar');
  protected readonly views = SIDEBAR_VIEWS;
  protected readonly sidebar = inject(SidebarViewStore);
  protected readonly view = this.sidebar.view;
  /** The views shown so far. Making New chat's and Rooms' only when first asked for keeps the page's first task short. */
  protected readonly drawn = linkedSignal<SidebarView, ReadonlySet<SidebarView>>({
    source: this.view,
    computation: (view, previous) => new Set([...(previous?.value ?? ['chats']), view]),
  });
  protected readonly topbarHeight = signal<number | null>(null);
  private readonly phone = signal(false);
  protected readonly sidebarCovered = computed(() => this.phone() && this.chat.boxes().some((box) => !box.collapsed));

  protected readonly connectionLabel = computed(() => CONNECTION_LABELS[this.socket.state()]);
  protected readonly blocked = computed(() => this.notifications.permission() === 'denied');
  private readonly blockedHintWanted = signal(false);
  protected readonly blockedHint = computed(() => this.blocked() && this.blockedHintWanted());
  protected readonly notificationsLabel = computed(() => {
    if (this.blocked()) return 'Notifications blocked';
    return this.notifications.on() ? 'Turn off notifications' : 'Turn on notifications';
  });

  constructor() {
    inject(UnreadSigns);
    // Before the socket connects, not when the dock is drawn: see dock-layout.ts.
    fitDockToWindow();
    // Once the page is drawn, in a task of its own: making the socket is a good part of the page's first work.
    this.socket.willConnect();
    let connecting: ReturnType<typeof setTimeout> | undefined;
    afterNextRender(() => (connecting = setTimeout(() => this.signedIn.connect())));
    effect(() => {
      if (this.view() === 'people') this.directory.showing();
    });
    // My chats, and the boxes this device had open, come on every connect (see ChatStore); a session that ends goes
    // back to the log-in page (see SignedIn).
    const measure = new ResizeObserver(([entry]) => this.topbarHeight.set(entry!.borderBoxSize[0]!.blockSize));
    afterNextRender(() => measure.observe(this.topbar().nativeElement));
    // Messages are drawn as Markdown: the parser comes once this page is on screen, before a chat is opened.
    afterNextRender(() => void loadMarkdown());
    const phone = this.document.defaultView?.matchMedia?.(PHONE_QUERY);
    const onPhoneChange = () => this.phone.set(phone?.matches ?? false);
    onPhoneChange();
    phone?.addEventListener('change', onPhoneChange);
    inject(DestroyRef).onDestroy(() => {
      clearTimeout(connecting);
      measure.disconnect();
      phone?.removeEventListener('change', onPhoneChange);
    });
  }

  /** The arrow keys, Home and End move between the views' tabs, as in any tab list; Tab goes on into the view. */
  protected moveBetweenViews(event: KeyboardEvent): void {
    const ids = SIDEBAR_VIEWS.map((each) => each.id);
    const at = ids.indexOf(this.view());
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: ids.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = ids[(to + ids.length) % ids.length]!;
    this.sidebar.show(next);
    this.document.getElementById(`view-tab-${next}`)?.focus();
  }

  /** To the chat on the stage, else the newest box on screen, or with none open to the Chats list. */
  protected skipToChats(): void {
    const newest = this.chat.stage() ?? this.chat.boxes().at(-1);
    if (newest) {
      this.chat.focusBox(newest.room.id);
      return;
    }
    this.sidebar.show('chats');
    afterNextRender(() => placeInChatsList(this.document, null)?.focus(), { injector: this.injector });
  }

  protected toggleNotifications(): void {
    if (this.blocked()) this.blockedHintWanted.set(!this.blockedHintWanted());
    else void this.notifications.toggle();
  }
}
