import { computed, signal, type Signal } from '@angular/core';
import { fieldErrors, type ErrorBody } from '@parley/protocol';
import type { ZodMiniType } from 'zod/mini';

/**
 * The state of a form about an account (sign-up, log-in, the settings' name, password and deletion): values, the protocol schema's own messages for fields the person has left
 * (and for the first one a refused submit points to), and the server's answer placed beside the field it concerns.
 */
export class AuthForm<Fields extends string> {
  readonly values: Record<Fields, ReturnType<typeof signal<string>>>;
  private readonly touched = signal<ReadonlySet<string>>(new Set());
  private readonly serverFieldErrors = signal<Record<string, string>>({});
  readonly formError = signal<string | null>(null);
  readonly busy = signal(false);

  private readonly clientErrors: Signal<Record<string, string>>;

  constructor(
    private readonly fields: readonly Fields[],
    private readonly schema: ZodMiniType,
  ) {
    this.values = Object.fromEntries(fields.map((field) => [field, signal('')])) as AuthForm<Fields>['values'];
    this.clientErrors = computed(() => {
      const result = this.schema.safeParse(this.snapshot());
      return result.success ? {} : fieldErrors(result.error);
    });
  }

  snapshot(): Record<Fields, string> {
    return Object.fromEntries(Object.entries(this.values).map(([k, v]) => [k, (v as Signal<string>)()])) as Record<Fields, string>;
  }

  touch(field: Fields): void {
    this.touched.update((set) => new Set(set).add(field));
  }

  /** What to show beside a field: the server's word first, else the schema's once the person has been there. */
  error(field: Fields): string | null {
    const server = this.serverFieldErrors()[field];
    if (server) return server;
    if (!this.touched().has(field)) return null;
    return this.clientErrors()[field] ?? null;
  }

  /** The first field, in the form's order, with something to say beside it: where the keyboard goes after a refusal. */
  firstProblem(): Fields | null {
    return this.fields.find((field) => this.error(field) !== null) ?? null;
  }

  /**
   * True when the form may be sent. Refused, it speaks of the first field the schema refuses only, not of every
   * empty field at once: the person fixes that one, and hears of the next as they go on.
   */
  beginSubmit(): boolean {
    this.serverFieldErrors.set({});
    this.formError.set(null);
    const errors = this.clientErrors();
    const first = this.fields.find((field) => errors[field]);
    if (first) {
      this.touch(first);
      return false;
    }
    this.busy.set(true);
    return true;
  }

  /**
   * Back to the start, the values aside: nothing touched, nothing said, nothing being sent. A settings form stays on
   * screen once the server took it, and a dialog's is opened again.
   */
  reset(): void {
    this.busy.set(false);
    this.touched.set(new Set());
    this.serverFieldErrors.set({});
    this.formError.set(null);
  }

  fail(error: ErrorBody): void {
    this.busy.set(false);
    if (error.fields && Object.keys(error.fields).length > 0) this.serverFieldErrors.set(error.fields);
    else this.formError.set(error.message);
  }

  /** Clears the server's word on a field once the person changes it. */
  edited(field: Fields): void {
    if (this.serverFieldErrors()[field]) {
      this.serverFieldErrors.update(({ [field]: _, ...rest }) => rest);
    }
  }
}
