import { computed, signal, type Signal } from '@angular/core';
import { fieldErrors, type ErrorBody } from '@parley/protocol';
import type { ZodMiniType } from 'zod/mini';

/**
 * The state of a sign-up or log-in form: values, the protocol schema's own messages for fields the
 * person has left or after a submit, and the server's answer placed beside the field it concerns.
 */
export class AuthForm<Fields extends string> {
  readonly values: Record<Fields, ReturnType<typeof signal<string>>>;
  private readonly touched = signal<ReadonlySet<string>>(new Set());
  private readonly submitted = signal(false);
  private readonly serverFieldErrors = signal<Record<string, string>>({});
  readonly formError = signal<string | null>(null);
  readonly busy = signal(false);

  private readonly clientErrors: Signal<Record<string, string>>;

  constructor(
    fields: readonly Fields[],
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
    if (!this.submitted() && !this.touched().has(field)) return null;
    return this.clientErrors()[field] ?? null;
  }

  /** Marks the form submitted; true when it may be sent. */
  beginSubmit(): boolean {
    this.submitted.set(true);
    this.serverFieldErrors.set({});
    this.formError.set(null);
    if (Object.keys(this.clientErrors()).length > 0) return false;
    this.busy.set(true);
    return true;
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
