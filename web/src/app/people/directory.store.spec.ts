import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeChatSocket, alice, bob } from '../../testing/fake-chat-socket';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { DirectoryStore } from './directory.store';

const carol = { id: 3, username: 'carol', firstName: 'Carol', lastName: 'Ann' };

async function setUp() {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(),
      provideHttpClientTesting(),
      { provide: ChatSocket, useClass: FakeChatSocket },
      { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } },
    ],
  });
  const directory = TestBed.inject(DirectoryStore);
  const loading = directory.load();
  TestBed.inject(HttpTestingController)
    .expectOne('/api/users')
    .flush({ users: [{ ...alice, online: true }, { ...carol, online: false }, { ...bob, online: true }] });
  await loading;
  return { directory, socket: TestBed.inject(ChatSocket) as unknown as FakeChatSocket };
}

describe('DirectoryStore', () => {
  it('lists everyone but me, online people first, then by name', async () => {
    const { directory } = await setUp();
    expect(directory.people().map((p) => p.username)).toEqual(['bob', 'carol']);
  });

  it('moves the online dots as people come and go', async () => {
    const { directory, socket } = await setUp();
    socket.serverSends('user:offline', { userId: bob.id });
    socket.serverSends('user:online', { userId: carol.id });
    expect(directory.people().map((p) => [p.username, p.online])).toEqual([
      ['carol', true],
      ['bob', false],
    ]);
  });

  it('adds people who sign up, once', async () => {
    const { directory, socket } = await setUp();
    const dave = { id: 4, username: 'dave', firstName: 'Dave', lastName: 'Grohl' };
    socket.serverSends('user:new', dave);
    socket.serverSends('user:new', dave);
    expect(directory.people().filter((p) => p.id === 4)).toEqual([{ ...dave, online: false }]);
  });
});
