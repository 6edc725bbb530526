import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { LIMITS, type Room } from '@parley/protocol';
import { FakeChatSocket, alice, bob, message, settle } from '../../testing/fake-chat-socket';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { RoomsStore } from '../rooms/rooms.store';
import { ChatStore } from './chat.store';

const dmWithBob: Room = {
  id: 7,
  kind: 'direct',
  name: null,
  protected: false,
  joined: true,
  memberCount: 2,
  lastSeq: 0,
  lastActivityAt: '2026-11-24T10:00:00.000Z',
  createdAt: '2026-11-24T10:00:00.000Z',
  peer: bob,
  lastReadSeq: 0,
  unread: 0,
  lastMessage: null,
  muted: false,
  peerLastReadSeq: 0,
};
const group = (id: number, name: string): Room => ({ ...dmWithBob, id, kind: 'group', name, peer: null, peerLastReadSeq: null });

function setUp() {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      { provide: ChatSocket, useClass: FakeChatSocket },
      { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } },
    ],
  });
  const socket = TestBed.inject(ChatSocket) as unknown as FakeChatSocket;
  const rooms = TestBed.inject(RoomsStore);
  const chat = TestBed.inject(ChatStore);
  socket.responders['room:history'] = () => ({ ok: true, messages: [] });
  return { socket, rooms, chat };
}

describe('ChatStore', () => {
  describe('opening a chat', () => {
    it('opens the direct chat the server finds or creates, with its latest messages', async () => {
      const { socket, chat } = setUp();
      socket.responders['dm:open'] = () => ({ ok: true, room: dmWithBob, messages: [message(7, 1), message(7, 2)] });

      await chat.openDirect(bob.id);

      expect(socket.sent('dm:open')).toEqual([{ userId: bob.id }]);
      const [box] = chat.boxes();
      expect(box?.room.id).toBe(7);
      expect(box?.conversation.messages.map((m) => m.seq)).toEqual([1, 2]);
      expect(chat.focusRequest()).toBe(7);
    });

    it('reopens a chat it already holds without asking the server again', async () => {
      const { socket, chat } = setUp();
      socket.responders['dm:open'] = () => ({ ok: true, room: dmWithBob, messages: [message(7, 1)] });
      await chat.openDirect(bob.id);
      chat.close(7);
      expect(chat.boxes()).toEqual([]);

      await chat.openDirect(bob.id);

      expect(socket.sent('dm:open')).toHaveLength(1);
      expect(chat.boxes()[0]?.conversation.messages).toHaveLength(1);
    });

    it('makes the oldest box give way when the dock is full', () => {
      const { rooms, chat } = setUp();
      chat.setCapacity(2);
      for (const id of [1, 2, 3]) chat.show(group(id, `room ${id}`), []);
      expect(rooms.byId().size).toBe(3);
      expect(chat.boxes().map((b) => b.room.id)).toEqual([2, 3]);
    });
  });

  describe('a message arriving', () => {
    it('pops open the chat it belongs to, without taking the focus', async () => {
      const { socket, rooms, chat } = setUp();
      rooms.upsert(dmWithBob);
      socket.serverSends('message:new', message(7, 1));
      await settle();
      expect(chat.boxes().map((b) => b.room.id)).toEqual([7]);
      expect(chat.focusRequest()).toBeNull();
      expect(chat.announcement()).toBe('Bob Builder: message 1');
    });

    it('counts as unread when the dock has no room for another box, and opening clears it', () => {
      const { socket, rooms, chat } = setUp();
      chat.setCapacity(1);
      chat.show(group(1, 'open one'), []);
      rooms.upsert(dmWithBob);

      socket.serverSends('message:new', message(7, 1));
      socket.serverSends('message:new', message(7, 2));

      expect(chat.boxes().map((b) => b.room.id)).toEqual([1]);
      expect(chat.unreadByRoom().get(7)).toBe(2);
      chat.open(7);
      expect(chat.unreadByRoom().has(7)).toBe(false);
    });

    it('counts as unread in a collapsed box', () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), []);
      chat.toggleCollapsed(1);
      socket.serverSends('message:new', message(1, 1));
      expect(chat.boxes()[0]).toMatchObject({ collapsed: true, conversation: { unread: 1 } });
      chat.toggleCollapsed(1);
      expect(chat.boxes()[0]?.conversation.unread).toBe(0);
    });

    it('of my own, from another device, joins the conversation without popping anything open', () => {
      const { socket, rooms, chat } = setUp();
      rooms.upsert(dmWithBob);
      socket.serverSends('message:new', message(7, 1, alice, 'from my phone'));
      expect(chat.boxes()).toEqual([]);
      expect(chat.unreadByRoom().size).toBe(0);
      chat.open(7);
      expect(chat.boxes()[0]?.conversation.messages.map((m) => m.body)).toEqual(['from my phone']);
    });

    it('after a gap fetches what was skipped', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      socket.responders.sync = ({ rooms }) => {
        expect(rooms).toEqual({ 1: 1 });
        return { ok: true, rooms: [{ roomId: 1, messages: [message(1, 2), message(1, 3), message(1, 4)], complete: true }] };
      };
      socket.serverSends('message:new', message(1, 4));
      await settle();
      expect(chat.boxes()[0]?.conversation.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    });
  });

  describe('sending', () => {
    it('sends nothing that would show nothing: spaces, zero-width characters, lone combining marks', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), []);
      for (const body of ['   ', '\u200B\u200D', '\u2060\uFEFF \u0301']) await chat.send(1, body);
      expect(socket.sent('message:send')).toEqual([]);
      expect(chat.boxes()[0]?.conversation.outbox).toEqual([]);
    });

    it('shows the message at once as sending, then as sent on the ack', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), []);
      let ack!: (value: unknown) => void;
      socket.responders['message:send'] = ({ clientId, body }) =>
        new Promise((resolve) => (ack = () => resolve({ ok: true, message: { ...message(1, 1, alice, body), clientId } })));

      const sending = chat.send(1, 'hello');
      await settle();
      expect(chat.boxes()[0]?.conversation.outbox).toMatchObject([{ body: 'hello', status: 'sending' }]);

      ack(undefined);
      await sending;
      expect(chat.boxes()[0]?.conversation.outbox).toEqual([]);
      expect(chat.boxes()[0]?.conversation.messages.map((m) => m.body)).toEqual(['hello']);
    });

    it('offers a retry after a failure, and retries with the same clientId', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), []);
      socket.responders['message:send'] = () => ({ ok: false, error: { code: 'internal', message: 'The server did not answer in time.' } });

      await chat.send(1, 'try me');
      const [failed] = chat.boxes()[0]!.conversation.outbox;
      expect(failed).toMatchObject({ status: 'failed', error: 'The server did not answer in time.' });

      socket.responders['message:send'] = ({ clientId, body }) => ({ ok: true, message: { ...message(1, 1, alice, body), clientId } });
      await chat.retry(1, failed!.clientId);

      const sends = socket.sent('message:send') as { clientId: string }[];
      expect(sends).toHaveLength(2);
      expect(sends[1]!.clientId).toBe(sends[0]!.clientId);
      expect(chat.boxes()[0]?.conversation.outbox).toEqual([]);
      expect(chat.boxes()[0]?.conversation.messages).toHaveLength(1);
    });

    it('settles a send when its echo arrives before the ack, and keeps one copy', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), []);
      socket.responders['message:send'] = ({ clientId, body }) => {
        const stored = { ...message(1, 1, alice, body), clientId };
        socket.serverSends('message:new', stored);
        return { ok: true, message: stored };
      };
      await chat.send(1, 'echo');
      const conversation = chat.boxes()[0]!.conversation;
      expect(conversation.outbox).toEqual([]);
      expect(conversation.messages.map((m) => m.body)).toEqual(['echo']);
    });

    it('ignores a blank message', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), []);
      await chat.send(1, '  \n ');
      expect(socket.sent('message:send')).toEqual([]);
    });
  });

  describe('history', () => {
    it('loads older messages before the oldest shown, until the beginning', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), [message(1, 40), message(1, 41)]);
      socket.responders['room:history'] = ({ beforeSeq }) => ({
        ok: true,
        messages: Array.from({ length: 30 }, (_, i) => message(1, beforeSeq! - 30 + i)).filter((m) => m.seq >= 1),
      });

      await chat.loadOlder(1);
      expect(chat.boxes()[0]?.conversation.messages[0]?.seq).toBe(10);
      expect(chat.boxes()[0]?.conversation.reachedStart).toBe(false);
      await chat.loadOlder(1);
      expect(chat.boxes()[0]?.conversation).toMatchObject({ reachedStart: true, messages: expect.any(Array) });
      expect(chat.boxes()[0]?.conversation.messages.map((m) => m.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    });

    it('after a reconnect, fetches everything missed in every chat, with no gap and no duplicate', async () => {
      const { socket, chat } = setUp();
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby'), group(2, 'quiet')], joinable: { rooms: [], nextCursor: null } });
      chat.setCapacity(2);
      chat.show(group(1, 'lobby'), [message(1, 1), message(1, 2)]);
      chat.show(group(2, 'quiet'), []);
      const latest = 252;
      const page = 200;
      socket.responders.sync = ({ rooms }) => ({
        ok: true,
        rooms: Object.entries(rooms).map(([id, held]) => {
          const roomId = Number(id);
          const last = roomId === 1 ? latest : 0;
          const end = Math.min(held + page, last);
          const messages = Array.from({ length: Math.max(0, end - held) }, (_, i) => message(roomId, held + i + 1));
          return { roomId, messages, complete: end === last };
        }),
      });

      await chat.catchUpAll();

      expect(socket.sent('sync')).toEqual([{ rooms: { 1: 2, 2: 0 } }, { rooms: { 1: 202 } }]);
      const seqs = chat.boxes().find((b) => b.room.id === 1)!.conversation.messages.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    });

    it('after a reconnect, asks again for a room the answer had no space left for, from the seq it holds', async () => {
      const { socket, chat } = setUp();
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby'), group(2, 'quiet')], joinable: { rooms: [], nextCursor: null } });
      chat.setCapacity(2);
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      chat.show(group(2, 'quiet'), [message(2, 1)]);
      const answers = [
        { ok: true as const, rooms: [{ roomId: 1, messages: [message(1, 2)], complete: false }, { roomId: 2, messages: [], complete: false }] },
        { ok: true as const, rooms: [{ roomId: 1, messages: [message(1, 3)], complete: true }, { roomId: 2, messages: [message(2, 2)], complete: true }] },
      ];
      socket.responders.sync = () => answers.shift()!;

      await chat.catchUpAll();

      expect(socket.sent('sync')).toEqual([{ rooms: { 1: 1, 2: 1 } }, { rooms: { 1: 2, 2: 1 } }]);
      expect(chat.boxes().find((b) => b.room.id === 2)!.conversation.messages.map((m) => m.seq)).toEqual([1, 2]);
    });

    it('after a reconnect, sends again what was never acknowledged, with the same clientId', async () => {
      const { socket, chat } = setUp();
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby')], joinable: { rooms: [], nextCursor: null } });
      socket.responders.sync = () => ({ ok: true, rooms: [{ roomId: 1, messages: [], complete: true }] });
      chat.show(group(1, 'lobby'), []);
      socket.responders['message:send'] = () => ({ ok: false, error: { code: 'internal', message: 'The server did not answer in time.' } });
      await chat.send(1, 'written in a tunnel');
      const [{ clientId }] = socket.sent('message:send') as { clientId: string }[];

      socket.responders['message:send'] = (input) => ({ ok: true, message: { ...message(1, 1, alice, input.body), clientId: input.clientId } });
      socket.reconnect();
      await settle();
      await settle();

      const resent = socket.sent('message:send') as { clientId: string }[];
      expect(resent.map((p) => p.clientId)).toEqual([clientId, clientId]);
      expect(chat.boxes()[0]?.conversation).toMatchObject({ outbox: [], messages: [{ body: 'written in a tunnel' }] });
    });
  });
});
