import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, ElementRef, inject, signal, viewChild } from '@angular/core';
import type { SessionInfo } from '@parley/protocol';
import { toErrorBody } from '../core/api-error';
import { SignedIn } from '../shell/signed-in';
import { deviceName } from './device-name';
import { SessionsStore } from './sessions.store';

/** Where I am logged in, this device first, each with a way to log it out from here. */
@Component({
  selector: 'app-sessions-section',
  imports: [DatePipe],
  template: `
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" #heading tabindex="-1">Where you are logged in</h2>
      <p class="intro">Revoke a session you do not know or no longer use: that device is logged out at once.</p>
      @if (error(); as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
      @if (store.sessions(); as sessions) {
        <ul class="list" aria-labelledby="sessions-heading">
          @for (session of sessions; track session.id) {
            <li>
              <span class="who">
                <span class="name">{{ device(session) }}@if (session.current) {<span class="tag">This device</span>}</span>
                <span class="detail">{{ session.address || 'Unknown address' }}</span>
                <span class="detail">Logged in <time [attr.datetime]="session.createdAt">{{ session.createdAt | date: when }}</time>,
                  last used <time [attr.datetime]="session.lastUsedAt">{{ session.lastUsedAt | date: when }}</time></span>
              </span>
              <button type="button" class="secondary" (click)="revoke(session)" [disabled]="busy()"
                [attr.aria-label]="'Revoke ' + (session.current ? 'this device, which logs you out' : device(session) + ', ' + session.address)">Revoke</button>
            </li>
          }
        </ul>
      } @else if (!error()) {
        <p class="empty">Loading…</p>
      }
      <p class="done" role="status">{{ done() }}</p>
    </section>
  `,
  styleUrl: './settings-section.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SessionsSection {
  protected readonly store = inject(SessionsStore);
  private readonly signedIn = inject(SignedIn);
  private readonly heading = viewChild.required<ElementRef<HTMLElement>>('heading');

  protected readonly error = signal<string | null>(null);
  protected readonly done = signal('');
  protected readonly busy = signal(false);
  /** To the minute: the server keeps when a session was last used no finer. */
  protected readonly when = 'MMM d, y, h:mm a';

  constructor() {
    void this.store.load().catch((error) => this.error.set(toErrorBody(error).message));
  }

  protected device(session: SessionInfo): string {
    return deviceName(session.userAgent);
  }

  protected async revoke(session: SessionInfo): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.done.set('');
    try {
      await (session.current ? this.signedIn.ending(() => this.store.revoke(session)) : this.store.revoke(session));
      // This device's own: it is logged out, as by "Log out".
      if (session.current) return void (await this.signedIn.ended());
      this.done.set(`${this.device(session)} is logged out.`);
      // Its row went with the button that had the keyboard: the list's heading takes it, before the rows left.
      this.heading().nativeElement.focus();
    } catch (error) {
      this.error.set(toErrorBody(error).message);
    } finally {
      this.busy.set(false);
    }
  }
}
