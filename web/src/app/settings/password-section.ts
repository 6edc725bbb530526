import { ChangeDetectionStrategy, Component, inject, signal, viewChildren } from '@angular/core';
import { passwordChangeSchema } from '@parley/protocol';
import { AuthForm } from '../auth/auth-form';
import { PASSWORD_RULES } from '../auth/password-rules';
import { toErrorBody } from '../core/api-error';
import { SessionStore } from '../core/session.store';
import { TextField } from '../ui/text-field';
import { AccountStore } from './account.store';

type Field = 'currentPassword' | 'newPassword';

const FIELDS: readonly { name: Field; label: string; autocomplete: string; hint?: string }[] = [
  { name: 'currentPassword', label: 'Current password', autocomplete: 'current-password' },
  { name: 'newPassword', label: 'New password', autocomplete: 'new-password', hint: PASSWORD_RULES },
];

/** A new password, held to sign-up's rules. The server logs out my other sessions; this one stays. */
@Component({
  selector: 'app-password-section',
  imports: [TextField],
  template: `
    @let form = this.form;
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form (submit)="save($event)" novalidate>
        <!-- Whose password it is, for the browser's password manager to update the one it keeps. -->
        <input type="text" autocomplete="username" [value]="username" hidden />
        @for (field of fields; track field.name) {
          @let problem = form.error(field.name);
          <app-text-field [label]="field.label" type="password" [autocomplete]="field.autocomplete"
            [value]="form.values[field.name]()" (valueChange)="form.values[field.name].set($event); form.edited(field.name)"
            (touched)="form.touch(field.name)" [error]="problem ? field.label + ' ' + problem : null" [hint]="field.hint ?? null" />
        }
        @if (form.formError(); as message) {
          <p class="form-error" role="alert">{{ message }}</p>
        }
        <div class="actions"><button type="submit" class="primary" [disabled]="form.busy()">Change password</button></div>
        <p class="done" role="status">{{ done() }}</p>
      </form>
    </section>
  `,
  styleUrl: './settings-section.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PasswordSection {
  private readonly account = inject(AccountStore);
  private readonly textFields = viewChildren(TextField);

  protected readonly fields = FIELDS;
  protected readonly username = inject(SessionStore).user()?.username ?? '';
  protected readonly form = new AuthForm<Field>(['currentPassword', 'newPassword'], passwordChangeSchema);
  protected readonly done = signal('');

  protected async save(event: Event): Promise<void> {
    event.preventDefault();
    this.done.set('');
    if (!this.form.beginSubmit()) return this.focusFirstProblem();
    try {
      await this.account.changePassword(this.form.snapshot());
      // A password left in a field is one more place to read it from.
      this.form.values.currentPassword.set('');
      this.form.values.newPassword.set('');
      this.form.reset();
      this.done.set('Your password is changed. Your other sessions were logged out.');
    } catch (error) {
      this.form.fail(toErrorBody(error));
      this.focusFirstProblem();
    }
  }

  private focusFirstProblem(): void {
    const field = this.form.firstProblem();
    if (field !== null) this.textFields()[FIELDS.findIndex((each) => each.name === field)]?.focus();
  }
}
