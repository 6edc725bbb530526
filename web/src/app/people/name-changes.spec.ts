import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { PublicUser } from '@parley/protocol';
import { FakeChatSocket, alice, bob, message, settle } from '../../testing/fake-chat-socket';
import { directWithBob, groupRoom } from '../../testing/rooms';
import { BlocksStore } from '../blocking/blocks.store';
import { ChatStore } from '../chat/chat.store';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { RoomsStore } from '../rooms/rooms.store';
import { DirectoryStore } from './directory.store';
import { NameChanges } from './name-changes';

const robert: PublicUser = { ...bob, firstName: 'Robert', lastName: 'Builder-Smith' };

async function setUp() {
  localStorage.clear();
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), provideHttpClient(), provideHttpClientTesting(), { provide: ChatSocket, useClass: FakeChatSocket }],
  });
  const socket = TestBed.inject(ChatSocket) as unknown as FakeChatSocket;
  const http = TestBed.inject(HttpTestingController);
  const session = TestBed.inject(SessionStore);
  const loggingIn = session.login({ username: 'alice', password: 'secret' });
  http.expectOne('/api/auth/login').flush({ user: alice, token: 't' });
  await loggingIn;
  TestBed.inject(NameChanges);
  return { socket, http, session, rooms: TestBed.inject(RoomsStore), chat: TestBed.inject(ChatStore) };
}

describe('NameChanges', () => {
  it('shows Bob’s new name in the Chats list, his direct chat, his messages and the last message of a group', async () => {
    const { socket, rooms, chat } = await setUp();
    chat.show(groupRoom(2, 'Team', { lastSeq: 2, lastMessage: message(2, 2, bob) }), [message(2, 1, alice), message(2, 2, bob)]);
    rooms.upsert(directWithBob(1));
    const untouched = rooms.byId().get(3);

    socket.serverSends('user:updated', { user: robert });
    expect(rooms.byId().get(1)?.peer).toEqual(robert);
    expect(rooms.byId().get(2)?.lastMessage?.author).toEqual(robert);
    expect(chat.boxes()[0]!.conversation.messages.map((m) => m.author.firstName)).toEqual(['Alice', 'Robert']);
    expect(rooms.byId().get(3)).toBe(untouched);
  });

  it('shows my own new name, from another device or this one', async () => {
    const { socket, session } = await setUp();
    socket.serverSends('user:updated', { user: robert });
    expect(session.user()).toEqual(alice);
    socket.serverSends('user:updated', { user: { ...alice, lastName: 'Hargreaves' } });
    expect(session.user()?.lastName).toBe('Hargreaves');
  });

  it('renames whom New chat lists, and whom I blocked', async () => {
    const { socket, http } = await setUp();
    socket.responders['presence:watch'] = () => ({ ok: true, online: [] });
    const directory = TestBed.inject(DirectoryStore);
    const loading = directory.load();
    http.expectOne((request) => request.url === '/api/users').flush({ users: [{ ...bob, online: false }], nextCursor: null });
    await loading;
    const blocks = TestBed.inject(BlocksStore);
    const listing = blocks.load();
    http.expectOne('/api/me/blocks').flush({ users: [bob] });
    await listing;

    socket.serverSends('user:updated', { user: robert });
    await settle();
    expect(directory.people()).toEqual([{ ...robert, online: false }]);
    expect(blocks.people()).toEqual([robert]);
  });
});
