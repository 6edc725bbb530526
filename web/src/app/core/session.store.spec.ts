import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { SESSION_HINT_COOKIE } from '@parley/protocol';
import { alice } from '../../testing/fake-chat-socket';
import { SessionStore } from './session.store';

/** What the server's sign-up and log-in leave in the browser beside the (unreadable) session cookie. */
const signedInBefore = () => (document.cookie = `${SESSION_HINT_COOKIE}=1; Path=/`);
const hintPresent = () => document.cookie.includes(`${SESSION_HINT_COOKIE}=`);

function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), provideHttpClient(), provideHttpClientTesting()],
  });
  return { session: TestBed.inject(SessionStore), http: TestBed.inject(HttpTestingController) };
}

describe('SessionStore', () => {
  beforeEach(() => (document.cookie = `${SESSION_HINT_COOKIE}=; Max-Age=0; Path=/`));

  it('does not ask the server when this browser has not signed in, and is logged out', async () => {
    const { session, http } = setUp();
    await session.restore();
    http.expectNone('/api/me');
    expect(session.loggedIn()).toBe(false);
  });

  it('keeps you logged in across a reload while the cookie’s session is valid', async () => {
    signedInBefore();
    const { session, http } = setUp();
    const restoring = session.restore();
    http.expectOne('/api/me').flush({ user: alice });
    await restoring;
    expect(session.user()).toEqual(alice);
    expect(session.loggedIn()).toBe(true);
  });

  it('is logged out when the server no longer knows the session, and asks no more', async () => {
    signedInBefore();
    const { session, http } = setUp();
    const restoring = session.restore();
    http.expectOne('/api/me').flush({ error: { code: 'unauthorized', message: 'Log in first.' } }, { status: 401, statusText: 'Unauthorized' });
    await restoring;
    expect(session.loggedIn()).toBe(false);
    expect(hintPresent()).toBe(false);
  });

  it('stays logged in when the server cannot be reached', async () => {
    signedInBefore();
    const { session, http } = setUp();
    const restoring = session.restore();
    http.expectOne('/api/me').flush({ user: alice });
    await restoring;

    const again = session.restore();
    http.expectOne('/api/me').error(new ProgressEvent('error'));
    await again;
    expect(session.user()).toEqual(alice);
  });

  it('logs in and out through the API', async () => {
    const { session, http } = setUp();
    const loggingIn = session.login({ username: 'alice', password: 'secret password' });
    const login = http.expectOne('/api/auth/login');
    expect(login.request.body).toEqual({ username: 'alice', password: 'secret password' });
    login.flush({ user: alice, token: 'ignored: the cookie carries the session' });
    await loggingIn;
    expect(session.user()).toEqual(alice);

    const loggingOut = session.logout();
    http.expectOne({ method: 'POST', url: '/api/auth/logout' }).flush(null, { status: 204, statusText: 'No Content' });
    await loggingOut;
    expect(session.user()).toBeNull();
    http.verify();
  });
});
