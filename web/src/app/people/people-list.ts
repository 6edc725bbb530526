import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import type { DirectoryUser } from '@parley/protocol';
import { ChatStore } from '../chat/chat.store';
import { RoomsStore } from '../rooms/rooms.store';
import { Avatar } from './avatar';
import { DirectoryStore, displayName } from './directory.store';

/** Everyone, with avatars and online dots; clicking a person opens the chat with them. */
@Component({
  selector: 'app-people-list',
  imports: [Avatar],
  template: `
    <h2 id="people-heading">People</h2>
    <ul aria-labelledby="people-heading">
      @for (person of people(); track person.id) {
        @let unread = unreadFrom().get(person.id) ?? 0;
        <li>
          <button type="button" class="person" (click)="open(person)" [attr.aria-label]="label(person, unread)">
            <app-avatar [username]="person.username" [firstName]="person.firstName" [lastName]="person.lastName" [online]="person.online" />
            <span class="who">
              <bdi class="name">{{ person.firstName }} {{ person.lastName }}</bdi>
              <span class="username">&#64;{{ person.username }}</span>
            </span>
            @if (unread > 0) {
              <span class="badge" aria-hidden="true">{{ unread }}</span>
            }
          </button>
        </li>
      } @empty {
        <li class="empty">Nobody else is here yet.</li>
      }
    </ul>
  `,
  styleUrl: './sidebar-list.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PeopleList {
  private readonly directory = inject(DirectoryStore);
  private readonly chat = inject(ChatStore);
  private readonly rooms = inject(RoomsStore);

  protected readonly people = this.directory.people;

  /** Unread messages of each person's direct chat. */
  protected readonly unreadFrom = computed(() => {
    const byPeer = new Map<number, number>();
    const rooms = this.rooms.byId();
    for (const [roomId, count] of this.chat.unreadByRoom()) {
      const peer = rooms.get(roomId)?.peer;
      if (peer) byPeer.set(peer.id, count);
    }
    return byPeer;
  });

  protected label(person: DirectoryUser, unread: number): string {
    const parts = [`Chat with ${displayName(person)}`, person.online ? 'online' : 'offline'];
    if (unread > 0) parts.push(`${unread} unread`);
    return parts.join(', ');
  }

  protected open(person: DirectoryUser): void {
    void this.chat.openDirect(person.id);
  }
}
