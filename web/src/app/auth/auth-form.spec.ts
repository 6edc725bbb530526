import { loginSchema, registerSchema } from '@parley/protocol';
import { AuthForm } from './auth-form';

const fields = ['firstName', 'lastName', 'username', 'password'] as const;

describe('AuthForm', () => {
  it('says nothing about a field until the person has been there or submitted', () => {
    const form = new AuthForm(fields, registerSchema);
    expect(form.error('username')).toBeNull();
    form.touch('username');
    expect(form.error('username')).toBe('must be at least 3 characters');
    expect(form.error('password')).toBeNull();
  });

  it('refuses to submit while the protocol’s rules are broken, and speaks of the first problem only', () => {
    const form = new AuthForm(fields, registerSchema);
    form.values.username.set('bad name!');
    form.values.password.set('€'.repeat(25));
    expect(form.beginSubmit()).toBe(false);
    expect(form.firstProblem()).toBe('firstName');
    expect(form.error('firstName')).toBe('must not be empty');
    expect(form.error('lastName')).toBeNull();
    expect(form.error('username')).toBeNull();

    form.values.firstName.set('Ada');
    form.values.lastName.set('Lovelace');
    expect(form.beginSubmit()).toBe(false);
    expect(form.firstProblem()).toBe('username');
    expect(form.error('username')).toBe('may contain only letters, digits, _ . and -');
    expect(form.error('password')).toBeNull();
    // A field the person has been to speaks for itself.
    form.touch('password');
    expect(form.error('password')).toBe('must be at most 72 bytes');
  });

  it('points to the first field the server refused', () => {
    const form = new AuthForm(fields, registerSchema);
    for (const [field, value] of [['firstName', 'Ada'], ['lastName', 'Lovelace'], ['username', 'ada'], ['password', 'analytical engine']] as const) {
      form.values[field].set(value);
    }
    form.beginSubmit();
    form.fail({ code: 'invalid', message: 'Invalid.', fields: { password: 'must not contain your username', username: 'is taken' } });
    expect(form.firstProblem()).toBe('username');
  });

  it('puts the server’s answer beside its field until that field changes', () => {
    const form = new AuthForm(fields, registerSchema);
    for (const [field, value] of [['firstName', 'Ada'], ['lastName', 'Lovelace'], ['username', 'ada'], ['password', 'analytical engine']] as const) {
      form.values[field].set(value);
    }
    expect(form.beginSubmit()).toBe(true);
    expect(form.busy()).toBe(true);
    form.fail({ code: 'conflict', message: 'That username is taken.', fields: { username: 'is taken' } });
    expect(form.error('username')).toBe('is taken');
    expect(form.busy()).toBe(false);
    form.edited('username');
    expect(form.error('username')).toBeNull();
  });

  it('shows an error without fields for the whole form', () => {
    const form = new AuthForm(['username', 'password'], loginSchema);
    form.values.username.set('ada');
    form.values.password.set('wrong password');
    form.beginSubmit();
    form.fail({ code: 'unauthorized', message: 'Wrong username or password.' });
    expect(form.formError()).toBe('Wrong username or password.');
  });

  it('starts over once the server took it, values kept: a settings form stays on screen', () => {
    const form = new AuthForm(['password'], loginSchema);
    form.touch('password');
    form.values.password.set('wrong');
    form.beginSubmit();
    form.fail({ code: 'bad_password', message: 'Wrong password.', fields: { password: 'is wrong' } });
    form.values.password.set('');
    form.reset();
    expect(form.error('password')).toBeNull();
    expect(form.formError()).toBeNull();
    expect(form.busy()).toBe(false);
  });
});
