import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { SessionInfo } from '@parley/protocol';
import { SessionsStore } from './sessions.store';

const session = (id: number, current = false): SessionInfo => ({
  id,
  createdAt: '2026-12-01T10:00:00.000Z',
  lastUsedAt: '2026-12-02T10:00:00.000Z',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
  address: '203.0.113.7',
  current,
});

function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), provideHttpClient(), provideHttpClientTesting(), SessionsStore],
  });
  return { store: TestBed.inject(SessionsStore), http: TestBed.inject(HttpTestingController) };
}

describe('SessionsStore', () => {
  it('lists this device first, then the others newest first as the server does, and nothing before its answer', async () => {
    const { store, http } = setUp();
    expect(store.sessions()).toBeNull();
    const loading = store.load();
    http.expectOne('/api/me/sessions').flush({ sessions: [session(4), session(3), session(2, true), session(1)] });
    await loading;
    expect(store.sessions()?.map((each) => each.id)).toEqual([2, 4, 3, 1]);
  });

  it('revokes a session, and drops one the server no longer knows all the same', async () => {
    const { store, http } = setUp();
    const loading = store.load();
    http.expectOne('/api/me/sessions').flush({ sessions: [session(3, true), session(2), session(1)] });
    await loading;

    let revoking = store.revoke(session(2));
    const request = http.expectOne('/api/me/sessions/2');
    expect(request.request.method).toBe('DELETE');
    request.flush(null, { status: 204, statusText: 'No Content' });
    await revoking;
    expect(store.sessions()?.map((each) => each.id)).toEqual([3, 1]);

    revoking = store.revoke(session(1));
    http.expectOne('/api/me/sessions/1').flush({ error: { code: 'not_found', message: 'No such session.' } }, { status: 404, statusText: 'Not Found' });
    await revoking;
    expect(store.sessions()?.map((each) => each.id)).toEqual([3]);
  });

  it('keeps a session the server would not end, and says why', async () => {
    const { store, http } = setUp();
    const loading = store.load();
    http.expectOne('/api/me/sessions').flush({ sessions: [session(2)] });
    await loading;
    const revoking = store.revoke(session(2));
    http.expectOne('/api/me/sessions/2').flush({ error: { code: 'rate_limited', message: 'Too many requests.' } }, { status: 429, statusText: 'Too Many Requests' });
    await expect(revoking).rejects.toBeTruthy();
    expect(store.sessions()?.map((each) => each.id)).toEqual([2]);
  });

  it('never lets an older list replace a newer one', async () => {
    const { store, http } = setUp();
    const first = store.load();
    const second = store.load();
    const [older, newer] = http.match('/api/me/sessions');
    newer!.flush({ sessions: [session(2)] });
    older!.flush({ sessions: [session(2), session(1)] });
    await Promise.all([first, second]);
    expect(store.sessions()?.map((each) => each.id)).toEqual([2]);
  });
});
