import { ChangeDetectionStrategy, Component, ElementRef, Injector, afterNextRender, inject, signal, viewChild, viewChildren } from '@angular/core';
import type { Room } from '@parley/protocol';
import { ChatStore } from '../chat/chat.store';
import { TextField } from '../ui/text-field';
import { SidebarViewStore } from '../shell/sidebar-view';
import { JoinableRoomsStore } from './joinable-rooms.store';
import { NewRoomDialog } from './new-room-dialog';
import { RoomIcon } from './room-icon';
import { RoomsStore } from './rooms.store';

/**
 * Group rooms to join (a lock on protected ones), searchable by name and loaded a page at a time; join here,
 * or create one in the "New room" dialog. The rooms I am in are in the Chats list.
 */
@Component({
  selector: 'app-rooms-panel',
  imports: [NewRoomDialog, RoomIcon, TextField],
  template: `
    <h2 id="join-heading">Rooms</h2>
    <app-new-room />
    <app-text-field class="search" label="Search rooms" [value]="joinable.query()" (valueChange)="search($event)" [maxlength]="64" />
    <ul aria-labelledby="join-heading">
      @for (room of joinable.rooms(); track room.id) {
        <li>
          <!-- Named by its text, so that the name holds what is shown (WCAG 2.5.3); the member count is its description. -->
          <button #roomButton type="button" class="room" (click)="choose(room)" [attr.aria-describedby]="'room-meta-' + room.id" [attr.data-room-id]="room.id">
            <app-room-icon class="icon" [locked]="room.protected" />
            <span class="who">
              <span class="visually-hidden">{{ room.joined ? 'Open room' : 'Join room' }} </span><bdi class="name">{{ room.name }}</bdi><span class="visually-hidden">{{ room.protected ? '(password protected)' : '' }}</span>
              <span class="meta" [id]="'room-meta-' + room.id" aria-hidden="true">{{ room.memberCount }} {{ room.memberCount === 1 ? 'member' : 'members' }}{{ room.joined ? '' : ' · not joined' }}</span>
            </span>
          </button>
          @if (asking()?.id === room.id) {
            <form class="join" (submit)="joinWithPassword($event, room)" (keydown.escape)="$event.preventDefault(); cancelJoin(room)">
              <app-text-field #joinField [label]="'Password for ' + room.name" type="password" autocomplete="off" [(value)]="joinPassword" [error]="joinError()" />
              <div class="actions">
                <button type="submit">Join</button>
                <button type="button" class="secondary" (click)="cancelJoin(room)">Cancel</button>
              </div>
            </form>
          }
        </li>
      } @empty {
        <li class="empty">{{ joinable.query() ? 'No room to join starts with that name.' : 'No other rooms to join.' }}</li>
      }
    </ul>
    @if (joinable.hasMore()) {
      <button type="button" class="secondary more" (click)="joinable.loadMore()" [disabled]="joinable.loading()">
        {{ joinable.loading() ? 'Loading…' : 'Load more rooms' }}
      </button>
    }  `,
  styleUrls: ['../people/sidebar-list.css', './rooms-panel.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class RoomsPanel {
  protected readonly joinable = inject(JoinableRoomsStore);
  private readonly rooms = inject(RoomsStore);
  private readonly chat = inject(ChatStore);
  private readonly sidebar = inject(SidebarViewStore);
  private readonly injector = inject(Injector);
  private readonly joinField = viewChild<TextField>('joinField');
  private readonly roomButtons = viewChildren<ElementRef<HTMLButtonElement>>('roomButton');

  protected readonly asking = signal<Room | null>(null);
  protected readonly joinPassword = signal('');
  protected readonly joinError = signal<string | null>(null);

  protected search(query: string): void {
    this.joinable.searchAsTyped(query);
  }

  protected async choose(room: Room): Promise<void> {
    if (room.joined) return this.chat.openRoom(room.id);
    if (room.protected) {
      this.joinPassword.set('');
      this.joinError.set(null);
      this.ask(room);
      return;
    }
    await this.join(room, '');
  }

  /** Escape or Cancel: the prompt goes, and the keyboard goes back to the room that opened it. */
  protected cancelJoin(room: Room): void {
    this.asking.set(null);
    this.roomButtons().find((button) => button.nativeElement.dataset['roomId'] === String(room.id))?.nativeElement.focus();
  }

  protected async joinWithPassword(event: Event, room: Room): Promise<void> {
    event.preventDefault();
    await this.join(room, this.joinPassword());
  }

  private async join(room: Room, password: string): Promise<void> {
    const ack = await this.rooms.join(room.id, password);
    if (!ack.ok) {
      this.joinError.set(ack.error.message);
      if (!this.asking()) this.ask(room);
      return;
    }
    this.asking.set(null);
    this.sidebar.show('chats');
    this.chat.show(ack.room, ack.messages);
  }

  /** The room's password prompt opens with the keyboard in its field: typing the password is all there is to do. */
  private ask(room: Room): void {
    this.asking.set(room);
    afterNextRender(() => this.joinField()?.focus(), { injector: this.injector });
  }
}
