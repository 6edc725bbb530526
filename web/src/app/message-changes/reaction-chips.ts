import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import type { Message, Reaction } from '@parley/protocol';
import { MessageActions } from './message-actions';

/** A message's reactions as chips with their counts; mine are highlighted, and a click gives or takes back mine. */
@Component({
  selector: 'app-reaction-chips',
  template: `
    @for (reaction of message().reactions; track reaction.emoji) {
      <button type="button" class="chip" [class.mine]="reaction.me" [attr.aria-pressed]="reaction.me" [attr.aria-label]="label(reaction)"
        (click)="actions.toggle(message(), reaction.emoji)">
        <span class="emoji" aria-hidden="true">{{ reaction.emoji }}</span><span class="count" aria-hidden="true">{{ reaction.count }}</span>
      </button>
    }
  `,
  styles: `
    :host { display: flex; flex-wrap: wrap; gap: 0.25rem; margin-top: 0.2rem; }
    :host:empty { display: none; }
    .chip {
      display: inline-flex; align-items: center; gap: 0.2rem; font: inherit; font-size: 0.78rem; line-height: 1.2;
      padding: 0.1rem 0.45rem; border-radius: 999px; border: 1px solid var(--border); background: var(--surface);
      color: var(--text); cursor: pointer;
    }
    .chip.mine { border-color: var(--accent); background: var(--bubble-mine); font-weight: 700; }
    .chip:hover { border-color: var(--accent); }
    .emoji { font-size: 0.95rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReactionChips {
  readonly message = input.required<Message>();
  protected readonly actions = inject(MessageActions);

  protected label(reaction: Reaction): string {
    const people = reaction.count === 1 ? '1 person' : `${reaction.count} people`;
    return `${reaction.emoji} ${people}${reaction.me ? ', you among them' : ''}`;
  }
}
