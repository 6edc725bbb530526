import { Injectable, computed, inject, signal } from '@angular/core';
import type { DirectoryUser } from '@parley/protocol';
import { Api } from '../core/api';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';

/** Everyone, with live online dots. */
@Injectable({ providedIn: 'root' })
export class DirectoryStore {
  private readonly api = inject(Api);
  private readonly session = inject(SessionStore);
  private readonly everyone = signal<DirectoryUser[]>([]);

  /** Everyone but me, online people first, then by name. */
  readonly people = computed(() => {
    const me = this.session.user()?.id;
    return this.everyone()
      .filter((user) => user.id !== me)
      .sort((a, b) => Number(b.online) - Number(a.online) || displayName(a).localeCompare(displayName(b)));
  });

  constructor() {
    const socket = inject(ChatSocket);
    socket.on('user:online', ({ userId }) => this.setOnline(userId, true));
    socket.on('user:offline', ({ userId }) => this.setOnline(userId, false));
    socket.on('user:new', (user) => {
      if (!this.everyone().some((known) => known.id === user.id)) {
        this.everyone.update((users) => [...users, { ...user, online: false }]);
      }
    });
  }

  async load(): Promise<void> {
    this.everyone.set((await this.api.users()).users);
  }

  reset(): void {
    this.everyone.set([]);
  }

  private setOnline(userId: number, online: boolean): void {
    this.everyone.update((users) => users.map((user) => (user.id === userId ? { ...user, online } : user)));
  }
}

export function displayName(user: { firstName: string; lastName: string }): string {
  return `${user.firstName} ${user.lastName}`;
}
