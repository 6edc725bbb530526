import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { loginSchema } from '@parley/protocol';
import { toErrorBody } from '../core/api-error';
import { SessionStore } from '../core/session.store';
import { TextField } from '../ui/text-field';
import { AuthForm } from './auth-form';

@Component({
  selector: 'app-login-page',
  imports: [RouterLink, TextField],
  templateUrl: './auth-page.html',
  styleUrl: './auth-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LoginPage {
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);

  protected readonly title = 'Log in to Parley';
  protected readonly submitLabel = 'Log in';
  protected readonly fields = [
    { name: 'username', label: 'Username', type: 'text', autocomplete: 'username' },
    { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
  ] as const;
  protected readonly form = new AuthForm(['username', 'password'], loginSchema);
  protected readonly alternative = { prompt: 'New to Parley?', label: 'Sign up', link: '/signup' };

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (!this.form.beginSubmit()) return;
    try {
      await this.session.login(this.form.snapshot());
      await this.router.navigateByUrl('/');
    } catch (error) {
      this.form.fail(toErrorBody(error));
    }
  }
}
