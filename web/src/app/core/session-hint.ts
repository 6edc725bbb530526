import { DOCUMENT, Injectable, inject } from '@angular/core';
import { SESSION_HINT_COOKIE } from '@parley/protocol';

/**
 * The cookie the server sets and clears with the session (docs/protocol.md, Sessions), readable here: whether this
 * browser has signed in. Without it the server could only refuse `GET /api/me`, so the client does not ask.
 */
@Injectable({ providedIn: 'root' })
export class SessionHint {
  private readonly document = inject(DOCUMENT);

  present(): boolean {
    return this.document.cookie.split(';').some((cookie) => cookie.trim().startsWith(`${SESSION_HINT_COOKIE}=`));
  }

  /** The server refused the session: the next load need not ask again. */
  forget(): void {
    this.document.cookie = `${SESSION_HINT_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
  }
}
