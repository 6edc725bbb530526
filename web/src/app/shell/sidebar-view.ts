import { Injectable, signal } from '@angular/core';

export type SidebarView = 'chats' | 'people' | 'rooms';

/**
 * Which of the sidebar's views shows: Chats (the first), New chat or Rooms. A room joined or created is one of my
 * chats from then on, so the sidebar shows the Chats list again, where it now is.
 */
@Injectable({ providedIn: 'root' })
export class SidebarViewStore {
  private readonly current = signal<SidebarView>('chats');
  readonly view = this.current.asReadonly();

  show(view: SidebarView): void {
    this.current.set(view);
  }
}
