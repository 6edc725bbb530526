import { ChangeDetectionStrategy, Component, ElementRef, afterNextRender, inject, input, output, signal, viewChild } from '@angular/core';
import { LIMITS, isInvisible, type Message } from '@parley/protocol';
import { MessageActions } from './message-actions';

/**
 * Editing one of my messages in place: Enter (or Save) saves, Shift+Enter adds a line, Escape (or Cancel) gives up.
 * Saving what is unchanged, or what would show nothing, saves nothing.
 */
@Component({
  selector: 'app-message-editor',
  template: `
    <form class="editor" (submit)="save($event)" (keydown.escape)="cancel($event)">
      <textarea #field rows="2" aria-label="Edit message" [value]="draft()" [attr.maxlength]="max"
        (input)="draft.set($any($event.target).value)" (keydown.enter)="enter($event)"></textarea>
      @if (error(); as message) {
        <p class="form-error" role="alert">{{ message }}</p>
      }
      <div class="buttons">
        <button type="button" class="secondary" (click)="done.emit()">Cancel</button>
        <button type="submit" [disabled]="busy()">Save</button>
      </div>
    </form>
  `,
  styles: `
    :host { display: block; min-width: min(16rem, 60vw); }
    textarea { box-sizing: border-box; width: 100%; font: inherit; padding: 0.35rem 0.5rem; border: 1px solid var(--border-strong);
      border-radius: 8px; background: var(--surface); color: var(--text); resize: vertical; }
    .buttons { display: flex; justify-content: flex-end; gap: 0.4rem; margin-top: 0.3rem; }
    button { font: inherit; font-size: 0.8rem; font-weight: 600; padding: 0.25rem 0.7rem; border-radius: 6px; cursor: pointer;
      border: 1px solid var(--accent); background: var(--accent); color: var(--on-accent); }
    button.secondary { background: none; color: var(--text); border-color: var(--border-strong); }
    .form-error { margin: 0.2rem 0 0; font-size: 0.75rem; color: var(--danger-text); }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MessageEditor {
  readonly message = input.required<Message>();
  /** Saved or given up: the message shows again. */
  readonly done = output<void>();

  private readonly actions = inject(MessageActions);
  private readonly field = viewChild.required<ElementRef<HTMLTextAreaElement>>('field');
  protected readonly draft = signal('');
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly max = LIMITS.bodyMax;

  constructor() {
    afterNextRender(() => {
      const field = this.field().nativeElement;
      this.draft.set(this.message().body);
      field.value = this.message().body;
      field.focus();
      field.setSelectionRange(field.value.length, field.value.length);
    });
  }

  protected enter(event: Event): void {
    const key = event as KeyboardEvent;
    if (key.shiftKey || key.isComposing) return;
    this.save(event);
  }

  protected cancel(event: Event): void {
    // Escape ends the edit alone, not the box around it.
    event.preventDefault();
    event.stopPropagation();
    this.done.emit();
  }

  protected async save(event: Event): Promise<void> {
    event.preventDefault();
    const body = this.draft();
    if (body === this.message().body || isInvisible(body)) return this.done.emit();
    if (this.busy()) return;
    this.busy.set(true);
    try {
      const error = await this.actions.edit(this.message(), body);
      this.error.set(error);
      if (!error) this.done.emit();
    } finally {
      this.busy.set(false);
    }
  }
}
