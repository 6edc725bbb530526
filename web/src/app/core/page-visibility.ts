import { DestroyRef, Injectable, inject, signal } from '@angular/core';

/**
 * Whether the page is on screen (its tab selected, its window not minimised). A chat in a hidden tab is
 * not read, and a message arriving then deserves a notification.
 */
@Injectable({ providedIn: 'root' })
export class PageVisibility {
  private readonly state = signal(document.visibilityState === 'visible');
  readonly visible = this.state.asReadonly();

  constructor() {
    const update = () => this.state.set(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', update);
    inject(DestroyRef).onDestroy(() => document.removeEventListener('visibilitychange', update));
  }
}
