import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import type { DirectoryUser } from '@parley/protocol';
import { ChatStore } from '../chat/chat.store';
import { TextField } from '../ui/text-field';
import { Avatar } from './avatar';
import { DirectoryStore, displayName } from './directory.store';

/** "New chat": everyone, with online dots, filtered as one types; choosing a person opens the chat with them. */
@Component({
  selector: 'app-people-list',
  imports: [Avatar, TextField],
  template: `
    <h2 id="people-heading">New chat</h2>
    <app-text-field class="search" label="Search people" [(value)]="query" [maxlength]="64" />
    <ul aria-labelledby="people-heading">
      @for (person of people(); track person.id) {
        <li>
          <button type="button" class="person" (click)="open(person)" [attr.aria-label]="label(person)">
            <app-avatar [username]="person.username" [firstName]="person.firstName" [lastName]="person.lastName" [online]="person.online" />
            <span class="who">
              <bdi class="name">{{ person.firstName }} {{ person.lastName }}</bdi>
              <span class="username">&#64;{{ person.username }}</span>
            </span>
          </button>
        </li>
      } @empty {
        <li class="empty">{{ query().trim() ? 'Nobody by that name.' : 'Nobody else is here yet.' }}</li>
      }
    </ul>
  `,
  styleUrl: './sidebar-list.css',
  styles: `.search { padding: 0 0.5rem 0.4rem; }`,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PeopleList {
  private readonly directory = inject(DirectoryStore);
  private readonly chat = inject(ChatStore);

  protected readonly query = signal('');
  protected readonly people = computed(() => matching(this.directory.people(), this.query()));

  protected label(person: DirectoryUser): string {
    return `Chat with ${displayName(person)}, ${person.online ? 'online' : 'offline'}`;
  }

  protected open(person: DirectoryUser): void {
    void this.chat.openDirect(person.id);
  }
}

/** The people whose name or username contains every word typed, ignoring case and accents. */
export function matching(people: readonly DirectoryUser[], query: string): readonly DirectoryUser[] {
  const fold = (text: string) => text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return people;
  return people.filter((person) => {
    const haystack = fold(`${person.firstName} ${person.lastName} @${person.username}`);
    return words.every((word) => haystack.includes(word));
  });
}
