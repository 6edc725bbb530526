import { DOCUMENT, Injectable, type OnDestroy, effect, inject } from '@angular/core';
import { ChatsStore } from '../chats/chats.store';

/** The favicon, and the same with a red dot (web/scripts/favicons.mjs draws both). */
const FAVICON = 'favicon.png';
const FAVICON_WITH_DOT = 'favicon-unread.png';

/** The tab's title for a number of unread messages: "(3) Parley". */
export function titleFor(unread: number): string {
  return unread > 0 ? `(${unread}) Parley` : 'Parley';
}

/**
 * The signs of unread messages outside the page: the count in the tab's title and a dot on the favicon,
 * from the chats I did not mute. Provided by the main page, so both go when it does (log-out).
 */
@Injectable()
export class UnreadSigns implements OnDestroy {
  private readonly document = inject(DOCUMENT);

  constructor() {
    const chats = inject(ChatsStore);
    effect(() => this.show(chats.unreadTotal()));
  }

  ngOnDestroy(): void {
    this.show(0);
  }

  private show(unread: number): void {
    this.document.title = titleFor(unread);
    const icon = this.document.querySelector<HTMLLinkElement>('link[rel="icon"]');
    const href = unread > 0 ? FAVICON_WITH_DOT : FAVICON;
    if (icon && icon.getAttribute('href') !== href) icon.setAttribute('href', href);
  }
}
