import { DOCUMENT } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  EnvironmentInjector,
  afterNextRender,
  computed,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import type { MemberRole, PublicUser, Room, RoomMember } from '@parley/protocol';
import { ChatsStore } from '../chats/chats.store';
import { placeInChatsList } from '../chats/place-in-chats-list';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { Avatar } from '../people/avatar';
import { RoomSettings } from '../rooms/room-settings';
import { closeOnEscape } from '../ui/dialog';
import { closeMenuOnEscape, focusFirstItemWhenOpened, hideMenu } from '../ui/popover-menu';
import { Icon } from '../ui/icon';
import { MembersStore } from './members.store';

const ROLE_LABELS: Record<MemberRole, string | null> = { owner: 'Owner', moderator: 'Moderator', member: null };

/** How long someone removed stays out: minutes, or until an owner or moderator lets them back (`room:unban`). */
const BAN_CHOICES = [
  { value: '0', label: 'right away' },
  { value: '60', label: 'after an hour' },
  { value: '1440', label: 'after a day' },
  { value: '10080', label: 'after a week' },
] as const;

/**
 * A group room's menu, in its box header: who is in it, mute, the room's settings for its owner, and leave. The menu
 * is a popover (the browser keeps it on top and closes it on a click elsewhere); Escape closes it alone and gives the
 * keyboard back to its button. Members, removing someone and leaving open modal dialogs, which Escape closes alone
 * too, never the box around them.
 */
@Component({
  selector: 'app-room-menu',
  imports: [Avatar, Icon, RoomSettings],
  template: `
    <!-- Each box's menu is anchored to its own button. -->
    <button #trigger type="button" class="icon-button" [attr.popovertarget]="menuId()" [attr.aria-label]="'Menu of room ' + room().name"
      [style.anchor-name]="anchor()" (keydown.escape)="closeMenu($event)">
      <app-icon name="more" />
    </button>
    <div #menu class="menu" popover [id]="menuId()" [style.position-anchor]="anchor()" (keydown.escape)="closeMenu($event)"
      (toggle)="menuToggled($event)">
      <button type="button" (click)="showMembers()"><app-icon name="people" />Members ({{ room().memberCount }})</button>
      <button type="button" (click)="toggleMute()">
        <app-icon [name]="room().muted ? 'bell' : 'bell-off'" />{{ room().muted ? 'Unmute' : 'Mute' }}
      </button>
      @if (room().role === 'owner') {
        <button type="button" (click)="showSettings()"><app-icon name="settings" />Room settings</button>
      }
      <button type="button" (click)="askToLeave()"><app-icon name="leave" />Leave room</button>
    </div>
    <app-room-settings #settings [room]="room()" (closed)="giveBackFocus()" />

    <dialog #membersDialog [attr.aria-labelledby]="menuId() + '-members'" (keydown.escape)="closeDialog($event, membersDialog)"
      (close)="membersClosed()">
      <h2 [id]="menuId() + '-members'">Members of <bdi>{{ room().name }}</bdi></h2>
      <ul class="members">
        @for (member of members(); track member.user.id) {
          <li>
            <app-avatar [username]="member.user.username" [firstName]="member.user.firstName" [lastName]="member.user.lastName"
              [online]="member.online" decorative />
            <span class="who">
              <bdi class="name">{{ member.user.firstName }} {{ member.user.lastName }}</bdi>
              <span class="handle">&#64;{{ member.user.username }}<span class="visually-hidden">, {{ member.online ? 'online' : 'offline' }}</span></span>
            </span>
            @if (roleLabel(member); as role) {
              <span class="role">{{ role }}</span>
            }
            @if (room().role === 'owner' && member.role !== 'owner') {
              @let next = member.role === 'moderator' ? 'member' : 'moderator';
              <button type="button" class="member-action" (click)="setRole(member, next)"
                [attr.aria-label]="(next === 'moderator' ? 'Make moderator: ' : 'Make member again: ') + member.user.firstName + ' ' + member.user.lastName">
                {{ next === 'moderator' ? 'Make moderator' : 'Make member' }}
              </button>
            }
            @if (canRemove(member)) {
              <button type="button" class="member-action remove" (click)="askToRemove(member)"
                [attr.aria-label]="'Remove ' + member.user.firstName + ' ' + member.user.lastName">Remove</button>
            }
          </li>
        }
      </ul>
      @if (error(); as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
      <div class="actions">
        @if (nextCursor() !== null) {
          <button type="button" class="secondary" (click)="loadMore()" [disabled]="loading()">Load more members</button>
        }
        <button type="button" (click)="membersDialog.close()">Close</button>
      </div>
    </dialog>

    <dialog #removeDialog [attr.aria-labelledby]="menuId() + '-remove'" (keydown.escape)="closeDialog($event, removeDialog)"
      (close)="removeClosed()">
      @if (removing(); as member) {
        <h2 [id]="menuId() + '-remove'">Remove <bdi>{{ member.user.firstName }} {{ member.user.lastName }}</bdi>?</h2>
        <p>The room’s messages stop coming to them at once.</p>
        <label class="field">They can join again
          <select [value]="banChoice()" (change)="banChoice.set($any($event.target).value)">
            @for (choice of banChoices; track choice.value) {
              <option [value]="choice.value">{{ choice.label }}</option>
            }
          </select>
        </label>
      }
      @if (error(); as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
      <div class="actions">
        <button type="button" class="danger" (click)="remove()" [disabled]="loading()">Remove</button>
        <button type="button" class="secondary" (click)="removeDialog.close()">Cancel</button>
      </div>
    </dialog>

    <dialog #leaveDialog [attr.aria-labelledby]="menuId() + '-leave'" (keydown.escape)="closeDialog($event, leaveDialog)" (close)="giveBackFocus()">
      <h2 [id]="menuId() + '-leave'">Leave <bdi>{{ room().name }}</bdi>?</h2>
      <p>Its messages stop coming to you. You can join it again from Rooms{{ room().protected ? ', with its password' : '' }}.</p>
      @if (error(); as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
      <div class="actions">
        <button type="button" class="danger" (click)="leave()" [disabled]="loading()">Leave room</button>
        <button type="button" class="secondary" (click)="leaveDialog.close()">Cancel</button>
      </div>
    </dialog>
  `,
  styleUrls: ['../ui/dialog.css', './room-menu.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RoomMenu {
  readonly room = input.required<Room>();

  private readonly store = inject(MembersStore);
  private readonly chats = inject(ChatsStore);
  private readonly document = inject(DOCUMENT);
  private readonly environment = inject(EnvironmentInjector);
  private readonly trigger = viewChild.required<ElementRef<HTMLButtonElement>>('trigger');
  private readonly menu = viewChild.required<ElementRef<HTMLElement>>('menu');
  private readonly membersDialog = viewChild.required<ElementRef<HTMLDialogElement>>('membersDialog');
  private readonly leaveDialog = viewChild.required<ElementRef<HTMLDialogElement>>('leaveDialog');
  private readonly removeDialog = viewChild.required<ElementRef<HTMLDialogElement>>('removeDialog');
  private readonly settings = viewChild.required<RoomSettings>('settings');
  private readonly me = inject(SessionStore).user;

  protected readonly menuId = computed(() => `room-menu-${this.room().id}`);
  protected readonly anchor = computed(() => `--${this.menuId()}`);
  protected readonly members = signal<readonly RoomMember[]>([]);
  protected readonly nextCursor = signal<string | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);
  /** Whom the "Remove" dialog asks about. */
  protected readonly removing = signal<RoomMember | null>(null);
  protected readonly banChoices = BAN_CHOICES;
  protected readonly banChoice = signal<string>(BAN_CHOICES[1].value);
  /** Counts the lists asked for, so that an older answer never replaces a newer one. */
  private listing = 0;

  constructor() {
    // While the list shows, someone joining, leaving or changing roles changes it: it is asked for again.
    const socket = inject(ChatSocket);
    const changed = ({ roomId }: { roomId: number }) => {
      if (roomId === this.room().id && this.membersDialog().nativeElement.open) void this.loadFirst();
    };
    // Someone listed changed their name: the list says the new one.
    const renamed = ({ user }: { user: PublicUser }) => {
      if (!this.members().some((member) => member.user.id === user.id)) return;
      this.members.update((members) => members.map((member) => (member.user.id === user.id ? { ...member, user } : member)));
    };
    const stops = [socket.on('room:member', changed), socket.on('room:role', changed), socket.on('user:updated', renamed)];
    inject(DestroyRef).onDestroy(() => stops.forEach((stop) => stop()));
  }

  protected roleLabel(member: RoomMember): string | null {
    return ROLE_LABELS[member.role];
  }

  /** As the server allows: the owner removes anyone but themself, a moderator plain members. */
  protected canRemove(member: RoomMember): boolean {
    const mine = this.room().role;
    if (member.user.id === this.me()?.id || member.role === 'owner') return false;
    return mine === 'owner' || (mine === 'moderator' && member.role === 'member');
  }

  protected async setRole(member: RoomMember, role: 'moderator' | 'member'): Promise<void> {
    const ack = await this.store.setRole(this.room().id, member.user.id, role);
    // The list hears of it (room:role) and is asked for again.
    this.error.set(ack.ok ? null : ack.error.message);
  }

  protected showSettings(): void {
    this.hideMenu();
    this.settings().open();
  }

  protected askToRemove(member: RoomMember): void {
    this.error.set(null);
    this.banChoice.set(BAN_CHOICES[1].value);
    this.removing.set(member);
    this.removeDialog().nativeElement.showModal();
  }

  protected async remove(): Promise<void> {
    const member = this.removing();
    if (member === null || this.loading()) return;
    this.loading.set(true);
    try {
      const ack = await this.store.remove(this.room().id, member.user.id, Number(this.banChoice()));
      // The list hears of it (room:member) and is asked for again.
      if (ack.ok) this.removeDialog().nativeElement.close();
      else this.error.set(ack.error.message);
    } finally {
      this.loading.set(false);
    }
  }

  /** Back in the members' list, the keyboard goes to its Close button: the row it came from may be gone. */
  protected removeClosed(): void {
    this.removing.set(null);
    this.membersDialog().nativeElement.querySelector<HTMLButtonElement>('.actions button:last-child')?.focus();
  }

  protected closeMenu(event: Event): void {
    closeMenuOnEscape(event, this.menu().nativeElement, this.trigger().nativeElement);
  }

  protected menuToggled(event: Event): void {
    focusFirstItemWhenOpened(event, this.menu().nativeElement);
  }

  protected readonly closeDialog = closeOnEscape;

  protected showMembers(): void {
    this.hideMenu();
    this.error.set(null);
    this.membersDialog().nativeElement.showModal();
    void this.loadFirst();
  }

  protected membersClosed(): void {
    this.listing += 1;
    this.members.set([]);
    this.nextCursor.set(null);
    this.giveBackFocus();
  }

  protected async loadMore(): Promise<void> {
    const cursor = this.nextCursor();
    if (cursor === null || this.loading()) return;
    await this.load(cursor);
  }

  protected toggleMute(): void {
    this.hideMenu();
    void this.chats.setMuted(this.room().id, !this.room().muted);
    this.trigger().nativeElement.focus();
  }

  protected askToLeave(): void {
    this.hideMenu();
    this.error.set(null);
    this.leaveDialog().nativeElement.showModal();
  }

  /** Leaves the room: once the server says so, this box closes with the room (see MembersStore.leave). */
  protected async leave(): Promise<void> {
    if (this.loading()) return;
    this.loading.set(true);
    try {
      const ack = await this.store.leave(this.room().id);
      if (!ack.ok) {
        this.error.set(ack.error.message);
        return;
      }
      // The box goes with the room, and its buttons with it: the keyboard goes to the Chats list, not the page.
      afterNextRender(() => placeInChatsList(this.document, null)?.focus(), { injector: this.environment });
    } finally {
      this.loading.set(false);
    }
  }

  /** The dialogs were opened from the menu, gone by now: the keyboard goes back to its button (if the box is still there). */
  protected giveBackFocus(): void {
    this.trigger().nativeElement.focus();
  }

  private loadFirst(): Promise<void> {
    return this.load(null);
  }

  private async load(cursor: string | null): Promise<void> {
    const listing = cursor === null ? ++this.listing : this.listing;
    this.loading.set(true);
    try {
      const ack = await this.store.page(this.room().id, cursor);
      if (listing !== this.listing) return;
      if (!ack.ok) {
        this.error.set(ack.error.message);
        return;
      }
      this.error.set(null);
      this.members.update((shown) => (cursor === null ? ack.members : [...shown, ...ack.members]));
      this.nextCursor.set(ack.nextCursor);
    } finally {
      this.loading.set(false);
    }
  }

  private hideMenu(): void {
    hideMenu(this.menu().nativeElement);
  }
}
