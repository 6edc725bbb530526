import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import type { PublicUser } from '@parley/protocol';
import { BlocksStore } from './blocks.store';

/** In place of the composer of a chat with someone I blocked: a quiet line, and the way to lift the block. */
@Component({
  selector: 'app-blocked-notice',
  template: `
    <p class="blocked" role="status">
      <span>You blocked <bdi>{{ peer().firstName }} {{ peer().lastName }}</bdi>.</span>
      <button type="button" (click)="unblock()" [disabled]="busy()">Unblock</button>
    </p>
    @if (error(); as message) {
      <p class="error" role="alert">{{ message }}</p>
    }
  `,
  styles: `
    :host { display: block; border-top: 1px solid var(--border); }
    p { margin: 0; }
    .blocked { display: flex; align-items: center; justify-content: center; flex-wrap: wrap; gap: 0.6rem; padding: 0.6rem; color: var(--text-muted); }
    button {
      font: inherit; font-size: 0.85rem; font-weight: 600; padding: 0.3rem 0.7rem; border-radius: 6px; cursor: pointer;
      border: 1px solid var(--border-strong); background: none; color: var(--text);
    }
    button:hover, button:focus-visible { background: var(--neutral); }
    .error { padding: 0 0.6rem 0.6rem; text-align: center; color: var(--danger-text); font-size: 0.85rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class BlockedNotice {
  readonly peer = input.required<PublicUser>();
  /** The block is lifted: the composer that comes back takes the keyboard. */
  readonly unblocked = output();

  private readonly blocks = inject(BlocksStore);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected async unblock(): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    try {
      const ack = await this.blocks.setBlocked(this.peer(), false);
      if (ack.ok) this.unblocked.emit();
      else this.error.set(ack.error.message);
    } finally {
      this.busy.set(false);
    }
  }
}
