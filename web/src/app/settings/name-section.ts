import { ChangeDetectionStrategy, Component, inject, signal, viewChildren } from '@angular/core';
import { LIMITS, profileUpdateSchema } from '@parley/protocol';
import { AuthForm } from '../auth/auth-form';
import { toErrorBody } from '../core/api-error';
import { SessionStore } from '../core/session.store';
import { TextField } from '../ui/text-field';
import { AccountStore } from './account.store';

type Field = 'firstName' | 'lastName';

const FIELDS: readonly { name: Field; label: string; autocomplete: string }[] = [
  { name: 'firstName', label: 'First name', autocomplete: 'given-name' },
  { name: 'lastName', label: 'Last name', autocomplete: 'family-name' },
];

/** My name, as everyone sees it: changed here, it changes on everyone's screen (`user:updated`). */
@Component({
  selector: 'app-name-section',
  imports: [TextField],
  template: `
    @let form = this.form;
    <section aria-labelledby="name-heading">
      <h2 id="name-heading">Your name</h2>
      <form (submit)="save($event)" novalidate>
        @for (field of fields; track field.name) {
          @let problem = form.error(field.name);
          <app-text-field [label]="field.label" [autocomplete]="field.autocomplete" [maxlength]="nameMax"
            [value]="form.values[field.name]()" (valueChange)="form.values[field.name].set($event); form.edited(field.name)"
            (touched)="form.touch(field.name)" [error]="problem ? field.label + ' ' + problem : null" />
        }
        @if (form.formError(); as message) {
          <p class="form-error" role="alert">{{ message }}</p>
        }
        <div class="actions"><button type="submit" class="primary" [disabled]="form.busy()">Save name</button></div>
        <p class="done" role="status">{{ done() }}</p>
      </form>
    </section>
  `,
  styleUrl: './settings-section.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NameSection {
  private readonly account = inject(AccountStore);
  private readonly textFields = viewChildren(TextField);

  protected readonly fields = FIELDS;
  protected readonly nameMax = LIMITS.nameMax;
  protected readonly form = new AuthForm<Field>(['firstName', 'lastName'], profileUpdateSchema);
  protected readonly done = signal('');

  constructor() {
    const me = inject(SessionStore).user();
    this.form.values.firstName.set(me?.firstName ?? '');
    this.form.values.lastName.set(me?.lastName ?? '');
  }

  protected async save(event: Event): Promise<void> {
    event.preventDefault();
    // Emptied first, so that the same words said again are heard again.
    this.done.set('');
    if (!this.form.beginSubmit()) return this.focusFirstProblem();
    const { firstName, lastName } = this.form.snapshot();
    try {
      await this.account.rename({ firstName: firstName.trim(), lastName: lastName.trim() });
      this.form.reset();
      this.done.set('Your name is saved.');
    } catch (error) {
      this.form.fail(toErrorBody(error));
      this.focusFirstProblem();
    }
  }

  /** The keyboard goes to the field to fix, whose error it then reads out. */
  private focusFirstProblem(): void {
    const field = this.form.firstProblem();
    if (field !== null) this.textFields()[FIELDS.findIndex((each) => each.name === field)]?.focus();
  }
}
