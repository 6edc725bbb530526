import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { registerSchema } from '@parley/protocol';
import { toErrorBody } from '../core/api-error';
import { SessionStore } from '../core/session.store';
import { TextField } from '../ui/text-field';
import { AuthForm } from './auth-form';

@Component({
  selector: 'app-signup-page',
  imports: [RouterLink, TextField],
  templateUrl: './auth-page.html',
  styleUrl: './auth-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SignupPage {
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);

  protected readonly title = 'Join Parley';
  protected readonly submitLabel = 'Sign up';
  protected readonly fields = [
    { name: 'firstName', label: 'First name', type: 'text', autocomplete: 'given-name' },
    { name: 'lastName', label: 'Last name', type: 'text', autocomplete: 'family-name' },
    { name: 'username', label: 'Username', type: 'text', autocomplete: 'username' },
    { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password' },
  ] as const;
  protected readonly form = new AuthForm(['firstName', 'lastName', 'username', 'password'], registerSchema);
  protected readonly alternative = { prompt: 'Have an account?', label: 'Log in', link: '/login' };

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.form.beginSubmit()) return;
    try {
      await this.session.register(this.form.snapshot());
      await this.router.navigateByUrl('/');
    } catch (error) {
      this.form.fail(toErrorBody(error));
    }
  }
}
