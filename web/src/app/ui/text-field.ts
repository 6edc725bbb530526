import { ChangeDetectionStrategy, Component, ElementRef, computed, input, model, output, viewChild } from '@angular/core';

let nextId = 0;

/** A labelled input whose error (a whole sentence) is shown beside it and announced with it. */
@Component({
  selector: 'app-text-field',
  template: `
    <label [for]="id">{{ label() }}</label>
    <input
      #field
      [id]="id"
      [type]="type()"
      [attr.autocomplete]="autocomplete()"
      [value]="value()"
      (input)="value.set($any($event.target).value)"
      (blur)="touched.emit()"
      [attr.aria-invalid]="error() ? 'true' : null"
      [attr.aria-describedby]="describedBy()"
      [attr.maxlength]="maxlength()"
    />
    @if (error(); as message) {
      <p class="field-error" [id]="id + '-error'">{{ message }}</p>
    }
    @if (hint(); as rules) {
      <p class="field-hint" [id]="id + '-hint'">{{ rules }}</p>
    }
  `,
  styles: `
    :host { display: flex; flex-direction: column; gap: 0.25rem; }
    label { font-weight: 600; font-size: 0.9rem; }
    input { font: inherit; padding: 0.55rem 0.7rem; border: 1px solid var(--border-strong); border-radius: 6px; }
    input[aria-invalid='true'] { border-color: var(--danger-text); }
    .field-error { margin: 0; color: var(--danger-text); font-size: 0.85rem; }
    .field-hint { margin: 0; color: var(--text-muted); font-size: 0.85rem; }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TextField {
  readonly label = input.required<string>();
  readonly type = input<'text' | 'password'>('text');
  readonly autocomplete = input<string | null>(null);
  readonly maxlength = input<number | null>(null);
  readonly error = input<string | null>(null);
  /** The rules the value must follow, shown before anything is wrong. */
  readonly hint = input<string | null>(null);
  readonly value = model('');
  readonly touched = output();

  protected readonly id = `field-${nextId++}`;
  /** The error first, then the rules: what is wrong is what the person needs to hear first. */
  protected readonly describedBy = computed(() => [this.error() && `${this.id}-error`, this.hint() && `${this.id}-hint`].filter(Boolean).join(' ') || null);
  private readonly field = viewChild.required<ElementRef<HTMLInputElement>>('field');

  focus(): void {
    this.field().nativeElement.focus();
  }
}
