import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import type { ReplyQuote } from '@parley/protocol';
import { plainText } from '../markdown/plain-text';

/** The message a reply answers, quoted in one line; a click brings it into view. */
@Component({
  selector: 'app-reply-quote',
  template: `
    <!-- Named by what it shows, after words that say what it is (a name that left the visible text out would mislead). -->
    <button type="button" class="quote" (click)="jump.emit(quote().seq)" title="Show the message">
      <span class="author"><span class="visually-hidden">Replying to </span><bdi>{{ quote().author.firstName }} {{ quote().author.lastName }}</bdi></span>
      <span class="excerpt" [class.deleted]="quote().deleted"><bdi>{{ excerpt() }}</bdi></span>
    </button>
  `,
  styles: `
    :host { display: block; min-width: 0; }
    .quote {
      display: flex; flex-direction: column; align-items: flex-start; width: 100%; min-width: 0; font: inherit; text-align: start;
      padding: 0.2rem 0.5rem; margin-bottom: 0.2rem; border: 0; border-inline-start: 3px solid var(--accent);
      border-radius: 4px; background: rgb(127 127 127 / 12%); color: var(--text); cursor: pointer;
    }
    .author { font-size: 0.72rem; font-weight: 700; }
    .excerpt { font-size: 0.78rem; color: var(--text-muted); max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .deleted { font-style: italic; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReplyQuoteView {
  readonly quote = input.required<ReplyQuote>();
  /** The seq of the message quoted. */
  readonly jump = output<number>();

  protected readonly excerpt = computed(() => (this.quote().deleted ? 'This message was deleted' : plainText(this.quote().excerpt)));
}
