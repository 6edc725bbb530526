import { ChangeDetectionStrategy, Component, ElementRef, inject, signal, viewChild } from '@angular/core';
import type { PublicUser } from '@parley/protocol';
import { BlocksStore } from '../blocking/blocks.store';
import { toErrorBody } from '../core/api-error';
import { Avatar } from '../people/avatar';

/** The people I blocked, each with a way to lift the block (`user:block`, over the connection). */
@Component({
  selector: 'app-blocked-section',
  imports: [Avatar],
  template: `
    <section aria-labelledby="blocked-heading">
      <h2 id="blocked-heading" #heading tabindex="-1">Blocked people</h2>
      <p class="intro">Neither of you can write to the other while you block someone, and they do not find you under New chat.</p>
      @if (error(); as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
      @if (blocks.loaded()) {
        <ul class="list" aria-labelledby="blocked-heading">
          @for (person of blocks.people(); track person.id) {
            <li>
              <app-avatar [username]="person.username" [firstName]="person.firstName" [lastName]="person.lastName" decorative />
              <span class="who">
                <bdi class="name">{{ person.firstName }} {{ person.lastName }}</bdi>
                <span class="detail">&#64;{{ person.username }}</span>
              </span>
              <button type="button" class="secondary" (click)="unblock(person)" [disabled]="busy()"
                [attr.aria-label]="'Unblock ' + person.firstName + ' ' + person.lastName">Unblock</button>
            </li>
          } @empty {
            <li class="empty">You have not blocked anyone.</li>
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
export class BlockedSection {
  protected readonly blocks = inject(BlocksStore);
  private readonly heading = viewChild.required<ElementRef<HTMLElement>>('heading');

  protected readonly error = signal<string | null>(null);
  protected readonly done = signal('');
  protected readonly busy = signal(false);

  constructor() {
    // The list comes on every connect (see BlocksStore). Until one has come (this page loaded first, or that request
    // failed) it is asked for here too, where a failure can be told.
    if (!this.blocks.loaded()) void this.blocks.load().catch((error) => this.error.set(toErrorBody(error).message));
  }

  protected async unblock(person: PublicUser): Promise<void> {
    if (this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    this.done.set('');
    try {
      const ack = await this.blocks.setBlocked(person, false);
      if (!ack.ok) return this.error.set(ack.error.message);
      this.done.set(`${person.firstName} ${person.lastName} is unblocked.`);
      // The row went with the button that had the keyboard.
      this.heading().nativeElement.focus();
    } finally {
      this.busy.set(false);
    }
  }
}
