import { ChangeDetectionStrategy, Component, afterNextRender, computed, inject, input, viewChildren } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { LIMITS, loginSchema, registerSchema } from '@parley/protocol';
import { toErrorBody } from '../core/api-error';
import { SessionStore } from '../core/session.store';
import { TextField } from '../ui/text-field';
import { AuthForm } from './auth-form';
import { PASSWORD_RULES } from './password-rules';

type Field = 'firstName' | 'lastName' | 'username' | 'password';

interface Page {
  title: string;
  submitLabel: string;
  fields: readonly { name: Field; label: string; type: 'text' | 'password'; autocomplete: string; hint?: string }[];
  form: () => AuthForm<Field>;
  submit: (session: SessionStore, values: Record<Field, string>) => Promise<void>;
  alternative: { prompt: string; label: string; link: string };
}

/** The protocol's username rules (usernameSchema), said before anything is typed. */
const USERNAME_RULES = `${LIMITS.usernameMin} to ${LIMITS.usernameMax} characters: letters, digits, _ . and -`;

const PAGES: Record<'login' | 'signup', Page> = {
  login: {
    title: 'Log in to Parley',
    submitLabel: 'Log in',
    fields: [
      { name: 'username', label: 'Username', type: 'text', autocomplete: 'username' },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
    ],
    form: () => new AuthForm<Field>(['username', 'password'], loginSchema),
    submit: (session, { username, password }) => session.login({ username, password }),
    alternative: { prompt: 'New to Parley?', label: 'Sign up', link: '/signup' },
  },
  signup: {
    title: 'Join Parley',
    submitLabel: 'Sign up',
    fields: [
      { name: 'firstName', label: 'First name', type: 'text', autocomplete: 'given-name' },
      { name: 'lastName', label: 'Last name', type: 'text', autocomplete: 'family-name' },
      { name: 'username', label: 'Username', type: 'text', autocomplete: 'username', hint: USERNAME_RULES },
      { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: PASSWORD_RULES },
    ],
    form: () => new AuthForm<Field>(['firstName', 'lastName', 'username', 'password'], registerSchema),
    submit: (session, values) => session.register(values),
    alternative: { prompt: 'Have an account?', label: 'Log in', link: '/login' },
  },
};

/** Log-in and sign-up: one form, validated with the protocol's schemas, the server's errors beside their fields. */
@Component({
  selector: 'app-auth-page',
  imports: [RouterLink, TextField],
  templateUrl: './auth-page.html',
  styleUrl: './auth-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AuthPage {
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);

  /** From the route's data. */
  readonly mode = input.required<'login' | 'signup'>();
  protected readonly page = computed(() => PAGES[this.mode()]);
  /** A new form for each page; the page of one component never changes, its route does not reuse it. */
  protected readonly form = computed(() => this.page().form());
  private readonly fields = viewChildren(TextField);

  constructor() {
    // The page is there to be filled in: the keyboard starts in its first field.
    afterNextRender(() => this.fields()[0]?.focus());
  }

  protected async submit(event: Event): Promise<void> {
    event.preventDefault();
    const form = this.form();
    if (!form.beginSubmit()) return this.focusFirstProblem();
    try {
      await this.page().submit(this.session, form.snapshot());
      await this.router.navigateByUrl('/');
    } catch (error) {
      form.fail(toErrorBody(error));
      this.focusFirstProblem();
    }
  }

  /** The keyboard goes to the field to fix, whose error it then reads out. */
  private focusFirstProblem(): void {
    const field = this.form().firstProblem();
    if (field === null) return;
    this.fields()[this.page().fields.findIndex((candidate) => candidate.name === field)]?.focus();
  }
}
