import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { alice, settle } from '../../testing/fake-chat-socket';
import { SessionStore } from '../core/session.store';
import { AccountStore } from './account.store';
import { SessionsStore } from './sessions.store';

async function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), provideHttpClient(), provideHttpClientTesting(), AccountStore, SessionsStore],
  });
  const http = TestBed.inject(HttpTestingController);
  const session = TestBed.inject(SessionStore);
  const loggingIn = session.login({ username: 'alice', password: 'secret' });
  http.expectOne('/api/auth/login').flush({ user: alice, token: 't' });
  await loggingIn;
  return { account: TestBed.inject(AccountStore), session, http };
}

describe('AccountStore', () => {
  it('renames me: the session’s user is the server’s answer', async () => {
    const { account, session, http } = await setUp();
    const renaming = account.rename({ firstName: 'Alicia', lastName: 'Liddell' });
    const request = http.expectOne('/api/me');
    expect(request.request.method).toBe('PATCH');
    expect(request.request.body).toEqual({ firstName: 'Alicia', lastName: 'Liddell' });
    request.flush({ user: { ...alice, firstName: 'Alicia' } });
    await renaming;
    expect(session.user()?.firstName).toBe('Alicia');
  });

  it('changes my password, then lists my sessions again: the others are gone', async () => {
    const { account, http } = await setUp();
    const changing = account.changePassword({ currentPassword: 'secret', newPassword: 'a much longer one' });
    http.expectOne('/api/me/password').flush(null, { status: 204, statusText: 'No Content' });
    await changing;
    await settle();
    http.expectOne('/api/me/sessions');
  });

  it('passes a refusal on to the form, field by field', async () => {
    const { account, http } = await setUp();
    const changing = account.changePassword({ currentPassword: 'secret', newPassword: 'password1' });
    http
      .expectOne('/api/me/password')
      .flush({ error: { code: 'invalid', message: 'Invalid input.', fields: { newPassword: 'is too common' } } }, { status: 400, statusText: 'Bad Request' });
    await expect(changing).rejects.toMatchObject({ status: 400 });
    http.expectNone('/api/me/sessions');
  });

  it('deletes my account with my password', async () => {
    const { account, http } = await setUp();
    const deleting = account.delete({ password: 'secret' });
    const request = http.expectOne('/api/me');
    expect(request.request.method).toBe('DELETE');
    expect(request.request.body).toEqual({ password: 'secret' });
    request.flush(null, { status: 204, statusText: 'No Content' });
    await deleting;
  });
});
