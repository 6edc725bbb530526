import { HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import type { LoginInput, PublicUser, RegisterInput } from '@parley/protocol';
import { Api } from './api';
import { SessionHint } from './session-hint';

/** Who is logged in. The session itself is the server's httpOnly cookie; this mirrors its user. */
@Injectable({ providedIn: 'root' })
export class SessionStore {
  private readonly api = inject(Api);
  private readonly hint = inject(SessionHint);
  private readonly currentUser = signal<PublicUser | null>(null);

  readonly user = this.currentUser.asReadonly();
  readonly loggedIn = computed(() => this.currentUser() !== null);

  /**
   * Asks the server whether the cookie still stands for a session; a reload keeps you logged in.
   * Only the server's "no" logs you out: an unreachable server leaves things as they are. A browser that has not
   * signed in (no hint cookie) is logged out without asking: the server could only say no.
   */
  async restore(): Promise<void> {
    if (!this.hint.present()) {
      this.currentUser.set(null);
      return;
    }
    try {
      this.currentUser.set((await this.api.me()).user);
    } catch (error) {
      if (error instanceof HttpErrorResponse && error.status === 401) {
        this.currentUser.set(null);
        this.hint.forget();
      } else console.error(error);
    }
  }

  async register(input: RegisterInput): Promise<void> {
    this.currentUser.set((await this.api.register(input)).user);
  }

  async login(input: LoginInput): Promise<void> {
    this.currentUser.set((await this.api.login(input)).user);
  }

  async logout(): Promise<void> {
    try {
      await this.api.logout();
    } finally {
      this.currentUser.set(null);
    }
  }

  /**
   * The session ended without a log-out (revoked from the settings, the account deleted): forget the user, and the
   * hint, so that the next load does not ask the server about a session it no longer has.
   */
  expired(): void {
    this.currentUser.set(null);
    this.hint.forget();
  }

  /** Someone was renamed (`user:updated`, or my own change): if it is me, the name shown follows. */
  renamed(user: PublicUser): void {
    if (this.currentUser()?.id === user.id) this.currentUser.set(user);
  }
}
