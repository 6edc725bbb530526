import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { LIMITS, type DirectoryUser } from '@parley/protocol';
import { ChatStore } from '../chat/chat.store';
import { TextField } from '../ui/text-field';
import { Avatar } from './avatar';
import { DirectoryStore } from './directory.store';

/**
 * "New chat": people by username, a page at a time, with live online dots, searched on the server as one types;
 * choosing a person opens the chat with them.
 */
@Component({
  selector: 'app-people-list',
  imports: [Avatar, TextField],
  template: `
    <h2 id="people-heading">New chat</h2>
    <app-text-field class="search" label="Search people" [value]="directory.query()" (valueChange)="directory.search($event)" [maxlength]="queryMax" />
    <ul aria-labelledby="people-heading">
      @for (person of directory.people(); track person.id) {
        <li>
          <!-- Named by its text, so that the name holds what is shown (WCAG 2.5.3): say "Chat with Ann Lee" to a voice control. (A hidden
               part after a visible one is read with a space before it: the state goes in parentheses, not after a comma.) -->
          <button type="button" class="person" (click)="open(person)">
            <app-avatar [username]="person.username" [firstName]="person.firstName" [lastName]="person.lastName" [online]="person.online" decorative />
            <span class="who">
              <span class="visually-hidden">Chat with </span><bdi class="name">{{ person.firstName }} {{ person.lastName }}</bdi>
              <span class="username">&#64;{{ person.username }}</span>
            </span>
            <span class="visually-hidden">({{ person.online ? 'online' : 'offline' }})</span>
          </button>
        </li>
      } @empty {
        <li class="empty">{{ directory.query().trim() ? 'Nobody by that name.' : 'Nobody else is here yet.' }}</li>
      }
    </ul>
    @if (directory.full()) {
      <p class="empty">More people match: type more of a name to find them.</p>
    }
    @if (directory.hasMore()) {
      <button type="button" class="more" (click)="more()" [disabled]="directory.loading()">
        {{ directory.loading() ? 'Loading…' : 'More people' }}
      </button>
    }
  `,
  styleUrl: './sidebar-list.css',
  styles: `.search { padding: 0 0.5rem 0.4rem; }`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PeopleList {
  protected readonly directory = inject(DirectoryStore);
  private readonly chat = inject(ChatStore);
  protected readonly queryMax = LIMITS.usersQueryMax;

  protected open(person: DirectoryUser): void {
    void this.chat.openDirect(person.id);
  }

  protected more(): void {
    // A page that fails leaves the list as it was, and the button to try again.
    this.directory.loadMore().catch(() => undefined);
  }
}
