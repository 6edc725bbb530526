import { ChangeDetectionStrategy, Component, ElementRef, inject, viewChild } from '@angular/core';
import { accountDeleteSchema } from '@parley/protocol';
import { AuthForm } from '../auth/auth-form';
import { toErrorBody } from '../core/api-error';
import { SignedIn } from '../shell/signed-in';
import { closeOnEscape } from '../ui/dialog';
import { TextField } from '../ui/text-field';
import { AccountStore } from './account.store';

/**
 * Deleting my account, after a dialog that says what it means and asks for my password. My messages stay where they
 * are, under the name "Deleted user" (the server renames them); I land on the log-in page.
 */
@Component({
  selector: 'app-delete-account-section',
  imports: [TextField],
  template: `
    @let form = this.form;
    <section aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete your account</h2>
      <p class="intro">You are logged out everywhere and nobody can log in as you again. Your messages stay in their chats, under the name “Deleted user”.</p>
      <button #opener type="button" class="danger" (click)="ask()">Delete account…</button>
    </section>

    <dialog #dialog aria-labelledby="delete-dialog-heading" (keydown.escape)="closeDialog($event, dialog)" (close)="opener.focus()">
      <form (submit)="delete($event)" novalidate>
        <h2 id="delete-dialog-heading">Delete your account?</h2>
        <p>This cannot be undone. Enter your password to confirm.</p>
        @let problem = form.error('password');
        <app-text-field label="Password" type="password" autocomplete="current-password" [value]="form.values.password()"
          (valueChange)="form.values.password.set($event); form.edited('password')" (touched)="form.touch('password')"
          [error]="problem ? 'Password ' + problem : null" />
        @if (form.formError(); as message) {
          <p class="form-error" role="alert">{{ message }}</p>
        }
        <div class="actions">
          <button type="submit" class="danger" [disabled]="form.busy()">Delete account</button>
          <button type="button" class="secondary" (click)="dialog.close()">Cancel</button>
        </div>
      </form>
    </dialog>
  `,
  styleUrls: ['./settings-section.css', '../ui/dialog.css'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DeleteAccountSection {
  private readonly account = inject(AccountStore);
  private readonly signedIn = inject(SignedIn);
  private readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('dialog');
  private readonly field = viewChild.required(TextField);

  protected readonly form = new AuthForm<'password'>(['password'], accountDeleteSchema);
  protected readonly closeDialog = closeOnEscape;

  protected ask(): void {
    this.form.values.password.set('');
    this.form.reset();
    this.dialog().nativeElement.showModal();
  }

  protected async delete(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.form.beginSubmit()) return this.field().focus();
    try {
      await this.signedIn.ending(() => this.account.delete(this.form.snapshot()));
    } catch (error) {
      this.form.fail(toErrorBody(error));
      this.field().focus();
      return;
    }
    this.dialog().nativeElement.close();
    await this.signedIn.ended();
  }
}
