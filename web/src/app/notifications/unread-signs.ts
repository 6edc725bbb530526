import { DOCUMENT, Injectable, type OnDestroy, effect, inject } from '@angular/core';
import { ChatsStore } from '../chats/chats.store';

const FAVICON = 'favicon.svg';
/** The favicon with a red dot, as a data URL: the server's CSP allows `data:` images, and nothing is drawn at run time. */
const FAVICON_WITH_DOT = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#3b5bdb"/>' +
    '<path d="M8 10h16v10H14l-6 5z" fill="#fff"/><circle cx="25" cy="7" r="6.5" fill="#e03131" stroke="#fff" stroke-width="2"/></svg>',
)}`;

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
