import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { LIMITS, type Message, type Room } from '@parley/protocol';
import { FakeChatSocket, alice, bob, heldSeq, message, notice, settle } from '../../testing/fake-chat-socket';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { DockStore, HIDDEN_KEPT } from '../dock/dock.store';
import { RoomsStore } from '../rooms/rooms.store';
import { ChatStore, SEND_RETRY_MS } from './chat.store';

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
  role: 'member',
  changeSeq: 0,
};
const group = (id: number, name: string): Room => ({ ...dmWithBob, id, kind: 'group', name, peer: null, peerLastReadSeq: null });

function setUp() {
  localStorage.clear();
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
  const dock = TestBed.inject(DockStore);
  socket.responders['room:history'] = () => ({ ok: true, messages: [] });
  return { socket, rooms, chat, dock };
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

    it('moves the oldest box to the "+N" list when the dock is full, rather than closing it', () => {
      const { rooms, chat, dock } = setUp();
      dock.setLayout({ capacity: 2, overlay: false });
      for (const id of [1, 2, 3]) chat.show(group(id, `room ${id}`), []);
      expect(rooms.byId().size).toBe(3);
      expect(chat.boxes().map((b) => b.room.id)).toEqual([2, 3]);
      expect(dock.hidden()).toEqual([1]);

      chat.close(3);
      expect(chat.boxes().map((b) => b.room.id)).toEqual([1, 2]);
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

    it('counts as unread on the room, and waits under "+N" when the dock is full', () => {
      const { socket, rooms, chat, dock } = setUp();
      dock.setLayout({ capacity: 1, overlay: false });
      chat.show(group(1, 'open one'), []);
      rooms.upsert(dmWithBob);

      socket.serverSends('message:new', message(7, 1));
      socket.serverSends('message:new', message(7, 2));
      // Heard twice (live, then by catch-up): counted once.
      socket.serverSends('message:new', message(7, 2));

      expect(chat.boxes().map((b) => b.room.id)).toEqual([1]);
      expect(dock.hidden()).toEqual([7]);
      expect(rooms.byId().get(7)).toMatchObject({ unread: 2, lastSeq: 2, lastReadSeq: 0, lastMessage: { seq: 2 } });
    });

    it('never pops up a muted chat, nor one I closed: their counts show instead', async () => {
      const { socket, rooms, chat } = setUp();
      rooms.upsert({ ...group(1, 'noisy'), muted: true });
      rooms.upsert(dmWithBob);
      chat.show(dmWithBob, []);
      chat.close(7);

      socket.serverSends('message:new', message(1, 1));
      socket.serverSends('message:new', message(7, 1));
      await settle();

      expect(chat.boxes()).toEqual([]);
      expect(rooms.byId().get(1)?.unread).toBe(1);
      expect(rooms.byId().get(7)?.unread).toBe(1);
    });

    it('is not announced to the screen reader when its chat is muted', () => {
      const { socket, rooms, chat } = setUp();
      rooms.upsert({ ...group(1, 'noisy'), muted: true });
      rooms.upsert(dmWithBob);
      socket.serverSends('message:new', message(7, 1, bob, 'hello'));
      socket.serverSends('message:new', message(1, 1, bob, 'chatter'));
      expect(chat.announcement()).toBe('Bob Builder: hello');
    });

    it('on a phone, while a field has the focus, offers the chat in a banner instead of covering the screen', () => {
      const { socket, rooms, chat, dock } = setUp();
      dock.setLayout({ capacity: 1, overlay: true });
      rooms.upsert(dmWithBob);
      const field = document.body.appendChild(document.createElement('input'));
      field.focus();

      socket.serverSends('message:new', message(7, 1));

      expect(chat.boxes()).toEqual([]);
      expect(dock.banner()).toBe(7);
      expect(document.activeElement).toBe(field);
      field.remove();
      dock.open(7);
      expect(dock.banner()).toBeNull();
    });

    it('on a phone with another chat open, offers it in a banner; with nothing open, opens it', () => {
      const { socket, rooms, chat, dock } = setUp();
      dock.setLayout({ capacity: 1, overlay: true });
      rooms.upsert(dmWithBob);
      chat.show(group(1, 'reading this'), []);
      socket.serverSends('message:new', message(7, 1));
      expect(chat.boxes().map((b) => b.room.id)).toEqual([1]);
      expect(dock.banner()).toBe(7);

      chat.close(1);
      socket.serverSends('message:new', message(7, 2));
      expect(chat.boxes().map((b) => b.room.id)).toEqual([7]);
    });

    it('of mine, sent here, moves my read marker to it', async () => {
      const { socket, rooms, chat } = setUp();
      chat.show({ ...group(1, 'lobby'), lastSeq: 3, unread: 3 }, [message(1, 1), message(1, 2), message(1, 3)]);
      socket.responders['message:send'] = ({ clientId, body }) => ({ ok: true, message: { ...message(1, 4, alice, body), clientId } });
      await chat.send(1, 'caught up');
      expect(rooms.byId().get(1)).toMatchObject({ lastSeq: 4, lastReadSeq: 4, unread: 0 });
    });

    it('of my own, from another device, joins the conversation without popping anything open', () => {
      const { socket, rooms, chat, dock } = setUp();
      rooms.upsert({ ...dmWithBob, lastSeq: 1, unread: 1 });
      socket.serverSends('message:new', message(7, 2, alice, 'from my phone'));
      expect(chat.boxes()).toEqual([]);
      expect(rooms.byId().get(7)).toMatchObject({ lastReadSeq: 2, unread: 0 });
      dock.open(7);
      expect(chat.boxes()[0]?.conversation.messages.map((m) => m.body)).toEqual(['from my phone']);
    });

    it('that is a notice of someone joining shows in its chat and counts, but opens nothing and is not read out', async () => {
      const { socket, rooms, chat, dock } = setUp();
      rooms.upsert(group(1, 'lobby'));
      socket.serverSends('message:new', notice(1, 1, 'joined'));
      await settle();
      expect(chat.boxes()).toEqual([]);
      expect(chat.announcement()).toBe('');
      expect(rooms.byId().get(1)).toMatchObject({ lastSeq: 1, unread: 1, lastMessage: { kind: 'system' } });
      dock.open(1);
      expect(chat.boxes()[0]?.conversation.messages.map((m) => m.notice?.change)).toEqual(['joined']);
    });

    it('closes and forgets a room I left on another device, and keeps one someone else left', async () => {
      const { socket, rooms, chat } = setUp();
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      rooms.upsert(group(2, 'other'));
      socket.serverSends('room:member', { roomId: 2, userId: bob.id, change: 'left', memberCount: 1, seq: 1 });
      socket.serverSends('room:member', { roomId: 1, userId: alice.id, change: 'left', memberCount: 1, seq: 2 });
      expect(chat.boxes()).toEqual([]);
      expect([...rooms.byId().keys()]).toEqual([2]);
    });

    it('closes the box of a room its owner deleted, and forgets it', () => {
      const { socket, rooms, chat } = setUp();
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      socket.serverSends('room:deleted', { roomId: 1 });
      expect(chat.boxes()).toEqual([]);
      expect(rooms.byId().has(1)).toBe(false);
    });

    it('keeps the box of a room I was removed from, saying so, until it is closed; a room with no box goes at once', () => {
      const { socket, rooms, chat } = setUp();
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      rooms.upsert(group(2, 'other'));
      socket.serverSends('room:member', { roomId: 1, userId: alice.id, change: 'removed', memberCount: 1, seq: 2 });
      socket.serverSends('room:member', { roomId: 2, userId: alice.id, change: 'removed', memberCount: 1, seq: 1 });
      expect(chat.boxes().map((b) => [b.room.id, b.room.joined, b.room.role])).toEqual([[1, false, null]]);
      expect(rooms.mine()).toEqual([]);
      expect(rooms.byId().has(2)).toBe(false);
      chat.close(1);
      expect(rooms.byId().has(1)).toBe(false);
    });

    it('in a room not known yet, asks for the list once, however many messages come before the answer', async () => {
      const { socket, rooms } = setUp();
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(3, 'opened elsewhere')], nextCursor: null });
      for (let seq = 1; seq <= 5; seq++) socket.serverSends('message:new', message(3, seq, alice));
      await settle();
      expect(socket.sent('rooms:list')).toHaveLength(1);
      expect(rooms.byId().has(3)).toBe(true);
    });

    it('after a gap fetches what was skipped', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      socket.responders.sync = ({ rooms }) => {
        expect(rooms).toEqual({ 1: { seq: 1, changeSeq: 0 } });
        return { ok: true, joined: [], left: [], rooms: [{ roomId: 1, messages: [message(1, 2), message(1, 3), message(1, 4)], changed: [], changeSeq: 0, complete: true }] };
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

    describe('refused because the server is overloaded', () => {
      const overloaded = { ok: false as const, error: { code: 'overloaded' as const, message: 'The server is overloaded; try again shortly.' } };
      const stored = ({ clientId, body }: { clientId: string; body: string }) => ({ ok: true as const, message: { ...message(1, 1, alice, body), clientId } });
      const clientIds = (socket: FakeChatSocket) => (socket.sent('message:send') as { clientId: string }[]).map((p) => p.clientId);

      beforeEach(() => {
        vi.useFakeTimers();
        // The jitter at its middle: every wait is exactly the one of SEND_RETRY_MS.
        vi.spyOn(Math, 'random').mockReturnValue(0.5);
      });
      afterEach(() => {
        vi.restoreAllMocks();
        vi.useRealTimers();
      });

      it('sends again under the same clientId after 0.5 s, 1 s, 2 s…, showing the message as sending meanwhile', async () => {
        const { socket, chat } = setUp();
        chat.show(group(1, 'lobby'), []);
        let refusals = 3;
        socket.responders['message:send'] = (input) => (refusals-- > 0 ? overloaded : stored(input));

        const sending = chat.send(1, 'rush hour');
        const sentAfter = async (ms: number) => {
          await vi.advanceTimersByTimeAsync(ms);
          return socket.sent('message:send').length;
        };
        expect(await sentAfter(0)).toBe(1);
        expect(chat.boxes()[0]?.conversation.outbox).toMatchObject([{ body: 'rush hour', status: 'sending' }]);
        expect(await sentAfter(SEND_RETRY_MS[0]! - 1)).toBe(1);
        expect(await sentAfter(1)).toBe(2);
        expect(await sentAfter(SEND_RETRY_MS[1]! - 1)).toBe(2);
        expect(await sentAfter(1)).toBe(3);
        expect(chat.boxes()[0]?.conversation.outbox).toMatchObject([{ status: 'sending' }]);
        expect(await sentAfter(SEND_RETRY_MS[2]!)).toBe(4);
        await sending;

        expect(new Set(clientIds(socket)).size).toBe(1);
        expect(chat.boxes()[0]?.conversation).toMatchObject({ outbox: [], messages: [{ body: 'rush hour' }] });
      });

      it('spreads the waits of clients refused together: between half and one and a half times each step', async () => {
        const { socket, chat } = setUp();
        chat.show(group(1, 'lobby'), []);
        socket.responders['message:send'] = (input) => (socket.sent('message:send').length === 1 ? overloaded : stored(input));
        vi.spyOn(Math, 'random').mockReturnValue(0);

        void chat.send(1, 'early');
        await vi.advanceTimersByTimeAsync(SEND_RETRY_MS[0]! / 2 - 1);
        expect(socket.sent('message:send')).toHaveLength(1);
        await vi.advanceTimersByTimeAsync(1);
        expect(socket.sent('message:send')).toHaveLength(2);
      });

      it('shows the message as failed once every wait has passed, and a retry by hand sends it under the same clientId', async () => {
        const { socket, chat } = setUp();
        chat.show(group(1, 'lobby'), []);
        socket.responders['message:send'] = () => overloaded;

        const sending = chat.send(1, 'patience');
        await vi.advanceTimersByTimeAsync(SEND_RETRY_MS.reduce((sum, ms) => sum + ms, 0));
        await sending;
        expect(socket.sent('message:send')).toHaveLength(SEND_RETRY_MS.length + 1);
        const [failed] = chat.boxes()[0]!.conversation.outbox;
        expect(failed).toMatchObject({ status: 'failed', error: overloaded.error.message });

        socket.responders['message:send'] = stored;
        await chat.retry(1, failed!.clientId);
        expect(new Set(clientIds(socket)).size).toBe(1);
        expect(chat.boxes()[0]?.conversation).toMatchObject({ outbox: [], messages: [{ body: 'patience' }] });
      });

      it('hands over to a reconnect that sends the message meanwhile: only the later one sends it again', async () => {
        const { socket, chat } = setUp();
        socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby')], nextCursor: null });
        socket.responders.sync = () => ({ ok: true, joined: [], left: [], rooms: [{ roomId: 1, messages: [], changed: [], changeSeq: 0, complete: true }] });
        chat.show(group(1, 'lobby'), []);
        // Refused before the reconnect and once after it, then stored.
        socket.responders['message:send'] = (input) => (socket.sent('message:send').length <= 2 ? overloaded : stored(input));
        void chat.send(1, 'reconnected');
        await vi.advanceTimersByTimeAsync(SEND_RETRY_MS[0]! / 2);

        socket.reconnect();
        await vi.advanceTimersByTimeAsync(0);
        expect(clientIds(socket)).toHaveLength(2);
        // The first delivery's wait ends here: it gives way to the reconnect's, which sends when its own wait ends.
        await vi.advanceTimersByTimeAsync(SEND_RETRY_MS[0]! - 1);
        expect(clientIds(socket)).toHaveLength(2);
        await vi.advanceTimersByTimeAsync(1);

        expect(clientIds(socket)).toHaveLength(3);
        expect(new Set(clientIds(socket)).size).toBe(1);
        expect(chat.boxes()[0]?.conversation).toMatchObject({ outbox: [], messages: [{ body: 'reconnected' }] });
      });
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
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby'), group(2, 'quiet')], nextCursor: null });
      TestBed.inject(DockStore).setLayout({ capacity: 2, overlay: false });
      chat.show(group(1, 'lobby'), [message(1, 1), message(1, 2)]);
      chat.show(group(2, 'quiet'), []);
      const latest = 252;
      const page = 200;
      socket.responders.sync = ({ rooms }) => ({
        ok: true,
        joined: [],
        left: [],
        rooms: Object.entries(rooms).map(([id, named]) => {
          const roomId = Number(id);
          const held = heldSeq(named);
          const last = roomId === 1 ? latest : 0;
          const end = Math.min(held + page, last);
          const messages = Array.from({ length: Math.max(0, end - held) }, (_, i) => message(roomId, held + i + 1));
          return { roomId, messages, changed: [], changeSeq: 0, complete: end === last };
        }),
      });

      await chat.catchUpAll();

      // Every room is named each time, as the server wants: one left out would come back as joined.
      expect(socket.syncedSeqs()).toEqual([{ rooms: { 1: 2, 2: 0 } }, { rooms: { 1: 202, 2: 0 } }]);
      const seqs = chat.boxes().find((b) => b.room.id === 1)!.conversation.messages.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
    });

    it('after a reconnect, asks again for a room the answer had no space left for, from the seq it holds', async () => {
      const { socket, chat } = setUp();
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby'), group(2, 'quiet')], nextCursor: null });
      TestBed.inject(DockStore).setLayout({ capacity: 2, overlay: false });
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      chat.show(group(2, 'quiet'), [message(2, 1)]);
      const answers = [
        { ok: true as const, joined: [], left: [], rooms: [{ roomId: 1, messages: [message(1, 2)], changed: [], changeSeq: 0, complete: false }, { roomId: 2, messages: [], changed: [], changeSeq: 0, complete: false }] },
        { ok: true as const, joined: [], left: [], rooms: [{ roomId: 1, messages: [message(1, 3)], changed: [], changeSeq: 0, complete: true }, { roomId: 2, messages: [message(2, 2)], changed: [], changeSeq: 0, complete: true }] },
      ];
      socket.responders.sync = () => answers.shift()!;

      await chat.catchUpAll();

      expect(socket.syncedSeqs()).toEqual([{ rooms: { 1: 1, 2: 1 } }, { rooms: { 1: 2, 2: 1 } }]);
      expect(chat.boxes().find((b) => b.room.id === 2)!.conversation.messages.map((m) => m.seq)).toEqual([1, 2]);
    });

    it('after a reconnect, sends again what was never acknowledged, with the same clientId', async () => {
      const { socket, chat } = setUp();
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby')], nextCursor: null });
      socket.responders.sync = () => ({ ok: true, joined: [], left: [], rooms: [{ roomId: 1, messages: [], changed: [], changeSeq: 0, complete: true }] });
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

    it('after a reconnect, names every room of mine: loaded ones from their newest message, the others from the list’s last seq', async () => {
      const { socket, chat } = setUp();
      socket.responders['rooms:list'] = () => ({
        ok: true,
        rooms: [group(1, 'lobby'), { ...group(2, 'elsewhere'), lastSeq: 40, unread: 3 }],
        nextCursor: null,
      });
      socket.responders.sync = () => ({ ok: true, rooms: [], joined: [], left: [] });
      chat.show(group(1, 'lobby'), [message(1, 1), message(1, 2)]);

      await chat.catchUpAll();

      expect(socket.syncedSeqs()).toEqual([{ rooms: { 1: 2, 2: 40 } }]);
    });

    it('after a reconnect, adds the rooms I joined meanwhile with their messages, pops nothing, and closes those I left', async () => {
      const { socket, rooms, chat, dock } = setUp();
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby'), group(2, 'leaving')], nextCursor: null });
      dock.setLayout({ capacity: 3, overlay: false });
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      chat.show(group(2, 'leaving'), []);
      const fromCarol = { ...dmWithBob, id: 5, lastSeq: 2, unread: 2, lastMessage: message(5, 2) };
      const answer = {
        ok: true as const,
        rooms: [
          { roomId: 1, messages: [message(1, 2)], changed: [], changeSeq: 0, complete: true },
          { roomId: 5, messages: [message(5, 1), message(5, 2)], changed: [], changeSeq: 0, complete: true },
        ],
        joined: [fromCarol],
        left: [2],
      };
      socket.responders.sync = ({ rooms: named }) => (5 in named ? { ok: true, rooms: [], joined: [], left: [] } as typeof answer : answer);

      await chat.catchUpAll();

      // Once joined, the room is named like the others (the one left is not), and the server has nothing more to say.
      expect(socket.syncedSeqs()).toEqual([{ rooms: { 1: 1, 2: 0 } }, { rooms: { 1: 2, 5: 2 } }]);

      expect(chat.boxes().map((b) => b.room.id)).toEqual([1]);
      expect(chat.boxes()[0]?.conversation.messages.map((m) => m.seq)).toEqual([1, 2]);
      expect(rooms.byId().has(2)).toBe(false);
      expect(rooms.byId().get(5)).toMatchObject({ unread: 2, lastSeq: 2 });
      dock.open(5);
      expect(chat.boxes().find((b) => b.room.id === 5)?.conversation.messages.map((m) => m.seq)).toEqual([1, 2]);
    });

    it('after a reconnect, closes the boxes of rooms sync says I left', async () => {
      const { socket, chat, dock } = setUp();
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby')], nextCursor: null });
      socket.responders.sync = () => ({ ok: true, rooms: [], joined: [], left: [2] });
      chat.show(group(1, 'lobby'), []);
      chat.show(group(2, 'gone'), []);
      await chat.catchUpAll();
      expect(chat.boxes().map((b) => b.room.id)).toEqual([1]);
      expect(dock.shown()).toEqual([1]);
    });

    it('after a reconnect, keeps a chat that popped up while the list was on its way', async () => {
      const { socket, chat } = setUp();
      const lists: ((value: unknown) => void)[] = [];
      socket.responders['rooms:list'] = () => new Promise((resolve) => lists.push(resolve as (value: unknown) => void));
      socket.responders.sync = () => ({ ok: true, rooms: [], joined: [], left: [] });
      chat.show(group(1, 'lobby'), []);
      const catchingUp = chat.catchUpAll();
      // Carol opens a direct chat and writes: the box pops up, and the list is asked for again, after the one on its
      // way, to learn the room.
      const fromCarol = { ...dmWithBob, id: 5 };
      socket.serverSends('message:new', message(5, 1));
      lists[0]!({ ok: true, rooms: [group(1, 'lobby')], nextCursor: null });
      await settle();
      lists[1]!({ ok: true, rooms: [group(1, 'lobby'), { ...fromCarol, lastSeq: 1, unread: 1 }], nextCursor: null });
      await catchingUp;
      await settle();
      expect(chat.boxes().map((b) => b.room.id)).toEqual([1, 5]);
      expect(chat.boxes()[1]?.conversation.messages.map((m) => m.seq)).toEqual([1]);
    });

    it('after a reconnect, gaps found while the list is on its way wait for the one sync after it', async () => {
      const { socket, chat, dock } = setUp();
      dock.setLayout({ capacity: 4, overlay: false });
      for (const id of [1, 2, 3, 4]) chat.show(group(id, `room ${id}`), [message(id, 1)]);
      let list!: (value: unknown) => void;
      socket.responders['rooms:list'] = () => new Promise((resolve) => (list = resolve as (value: unknown) => void));
      socket.responders.sync = ({ rooms }) => ({
        ok: true,
        joined: [],
        left: [],
        rooms: Object.entries(rooms).map(([id, from]) => ({ roomId: Number(id), messages: heldSeq(from) < 2 ? [message(Number(id), 2)] : [], changed: [], changeSeq: 0, complete: true })),
      });
      socket.reconnect();
      for (const id of [1, 2, 3, 4]) socket.serverSends('message:new', message(id, 3));
      await settle();
      expect(socket.syncedSeqs()).toEqual([]);

      list({ ok: true, rooms: [1, 2, 3, 4].map((id) => group(id, `room ${id}`)), nextCursor: null });
      await vi.waitFor(() => expect(chat.boxes().every((b) => b.conversation.messages.length === 3)).toBe(true));
      expect(socket.syncedSeqs()).toEqual([{ rooms: { 1: 1, 2: 1, 3: 1, 4: 1 } }]);
    });

    it('runs one sync at a time: gaps found while one is on its way make one more round', async () => {
      const { socket, chat, dock } = setUp();
      dock.setLayout({ capacity: 3, overlay: false });
      for (const id of [1, 2, 3]) chat.show(group(id, `room ${id}`), [message(id, 1)]);
      const answers: (() => void)[] = [];
      let inFlight = 0;
      let most = 0;
      socket.responders.sync = ({ rooms }) => {
        most = Math.max(most, ++inFlight);
        return new Promise((resolve) =>
          answers.push(() => {
            inFlight -= 1;
            const caughtUp = Object.entries(rooms).map(([id, from]) => ({ roomId: Number(id), messages: heldSeq(from) < 2 ? [message(Number(id), 2)] : [], changed: [], changeSeq: 0, complete: true }));
            resolve({ ok: true, joined: [], left: [], rooms: caughtUp });
          }),
        );
      };
      socket.serverSends('message:new', message(1, 3));
      await settle();
      socket.serverSends('message:new', message(2, 3));
      socket.serverSends('message:new', message(3, 3));
      await settle();
      expect(socket.sent('sync')).toHaveLength(1);
      answers.shift()!();
      await vi.waitFor(() => expect(answers).toHaveLength(1));
      answers.shift()!();
      await vi.waitFor(() => expect(chat.boxes().every((b) => b.conversation.messages.length === 3)).toBe(true));
      expect(socket.syncedSeqs()).toEqual([{ rooms: { 1: 1, 2: 1, 3: 1 } }, { rooms: { 1: 3, 2: 1, 3: 1 } }]);
      expect(most).toBe(1);
    });

    it('after a log-out with a sync on its way, the next log-in\'s sync runs: it does not join the old one', async () => {
      const { socket, chat, rooms, dock } = setUp();
      dock.setLayout({ capacity: 3, overlay: false });
      chat.show(group(1, 'room 1'), [message(1, 1)]);
      const answers: (() => void)[] = [];
      socket.responders.sync = () =>
        new Promise((resolve) => answers.push(() => resolve({ ok: true, joined: [], left: [], rooms: [] })));
      socket.serverSends('message:new', message(1, 3));
      await settle();
      expect(socket.sent('sync')).toHaveLength(1);

      chat.reset();
      rooms.reset();
      chat.show(group(2, 'room 2'), [message(2, 1)]);
      socket.serverSends('message:new', message(2, 3));
      await settle();
      expect(socket.syncedSeqs()).toEqual([{ rooms: { 1: 1 } }, { rooms: { 2: 1 } }]);
      for (const answer of answers.splice(0)) answer();
      await settle();
    });

    it('asks again, later, for a gap whose sync was refused for being over budget', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      const answers = [
        { ok: false as const, error: { code: 'rate_limited' as const, message: 'Too many events; slow down.' } },
        { ok: true as const, joined: [], left: [], rooms: [{ roomId: 1, messages: [message(1, 2)], changed: [], changeSeq: 0, complete: true }] },
      ];
      socket.responders.sync = () => answers.shift()!;
      socket.serverSends('message:new', message(1, 3));
      await vi.waitFor(() => expect(chat.boxes()[0]?.conversation.messages.map((m) => m.seq)).toEqual([1, 2, 3]), { timeout: 3000 });
      expect(socket.syncedSeqs()).toEqual([{ rooms: { 1: 1 } }, { rooms: { 1: 1 } }]);
    });

    it('stops at a refusal asking again cannot mend, and the next gap’s sync asks from the older one', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      socket.responders.sync = () => ({ ok: false, error: { code: 'invalid', message: 'Check the highlighted fields.' } });
      socket.serverSends('message:new', message(1, 3));
      await settle();
      expect(socket.sent('sync')).toHaveLength(1);
      socket.responders.sync = () => ({ ok: true, joined: [], left: [], rooms: [{ roomId: 1, messages: [message(1, 2), message(1, 4)], changed: [], changeSeq: 0, complete: true }] });
      socket.serverSends('message:new', message(1, 5));
      await vi.waitFor(() => expect(chat.boxes()[0]?.conversation.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]));
      expect(socket.syncedSeqs()).toEqual([{ rooms: { 1: 1 } }, { rooms: { 1: 1 } }]);
    });

    it('does not lose a reconnect’s sync to a round refused while it was on its way', async () => {
      const { socket, chat } = setUp();
      chat.show(group(1, 'lobby'), [message(1, 1)]);
      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby')], nextCursor: null });
      let refuse!: () => void;
      socket.responders.sync = () =>
        new Promise((resolve) => (refuse = () => resolve({ ok: false, error: { code: 'invalid', message: 'Check the highlighted fields.' } })));
      socket.serverSends('message:new', message(1, 3));
      await settle();
      const catchingUp = chat.catchUpAll();
      await settle();
      socket.responders.sync = () => ({ ok: true, joined: [], left: [], rooms: [{ roomId: 1, messages: [message(1, 2)], changed: [], changeSeq: 0, complete: true }] });
      refuse();
      await catchingUp;
      expect(socket.sent('sync')).toHaveLength(2);
      expect(chat.boxes()[0]?.conversation.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    });

    it('names at most the rooms sync takes: the gap first, then the open boxes, then the most recently active', async () => {
      const { socket, rooms, chat } = setUp();
      for (let id = 1; id <= LIMITS.syncRoomsMax; id++) rooms.upsert(group(id, `room ${id}`));
      chat.show(group(5000, 'new and open'), [message(5000, 1)]);
      chat.show(group(6000, 'open'), [message(6000, 1)]);
      socket.responders.sync = () => ({ ok: true, joined: [], left: [], rooms: [] });
      socket.serverSends('message:new', message(5000, 3));
      await vi.waitFor(() => expect(socket.sent('sync')).toHaveLength(1));
      const named = socket.syncedSeqs()[0]!.rooms;
      expect(Object.keys(named)).toHaveLength(LIMITS.syncRoomsMax);
      expect(named).toMatchObject({ 5000: 1, 6000: 1 });
      // The rooms listed with the oldest activity are the ones left out.
      expect(named).not.toHaveProperty('1');
    });
  });

  describe('what is open stays open', () => {
    const saved = (memory: object) => localStorage.setItem(`parley.dock.${alice.id}`, JSON.stringify(memory));
    const remembered = () => JSON.parse(localStorage.getItem(`parley.dock.${alice.id}`) ?? 'null');

    it('opens again the boxes this device had open for me, collapsed as they were, leaving out rooms no longer mine', async () => {
      const { socket, rooms, chat, dock } = setUp();
      saved({ open: [1, 2, 9], collapsed: [2], closed: [7, 9] });
      rooms.upsert(group(1, 'lobby'));
      rooms.upsert(group(2, 'quiet'));
      socket.responders['room:history'] = ({ roomId }) => ({ ok: true, messages: [message(roomId, 1)] });

      await chat.restoreDock();

      expect(chat.boxes().map((b) => [b.room.id, b.collapsed])).toEqual([
        [1, false],
        [2, true],
      ]);
      expect(socket.sent('room:history')).toEqual([
        { roomId: 1, limit: LIMITS.historyDefault },
        { roomId: 2, limit: LIMITS.historyDefault },
      ]);
      expect(remembered()).toEqual({ open: [1, 2], collapsed: [2], closed: [] });
      dock.toggleCollapsed(1);
      chat.close(2);
      expect(remembered()).toEqual({ open: [1], collapsed: [1], closed: [2] });
    });

    it('restores them when the first list of my rooms arrives, on whichever connect that is', async () => {
      const { socket, chat } = setUp();
      saved({ open: [1], collapsed: [], closed: [] });
      // The server was restarting: the list asked for at start-up timed out, and the connect that works is the first.
      socket.responders['rooms:list'] = () => ({ ok: false, error: { code: 'internal', message: 'The server did not answer in time.' } });
      socket.connectFirst();
      await settle();
      expect(chat.boxes()).toEqual([]);

      socket.responders['rooms:list'] = () => ({ ok: true, rooms: [group(1, 'lobby')], nextCursor: null });
      socket.connectFirst();
      await vi.waitFor(() => expect(chat.boxes().map((b) => b.room.id)).toEqual([1]));
      expect(remembered()).toEqual({ open: [1], collapsed: [], closed: [] });
    });

    it('restores them even when a room to learn asked for the list again before the answer', async () => {
      const { socket, chat } = setUp();
      saved({ open: [1], collapsed: [], closed: [] });
      const lists: ((value: unknown) => void)[] = [];
      socket.responders['rooms:list'] = () => new Promise((resolve) => lists.push(resolve as (value: unknown) => void));
      socket.connectFirst();
      socket.serverSends('message:new', message(3, 1));
      lists[0]!({ ok: true, rooms: [group(1, 'lobby')], nextCursor: null });
      await settle();
      lists[1]!({ ok: true, rooms: [group(3, 'opened elsewhere'), group(1, 'lobby')], nextCursor: null });
      await vi.waitFor(() => expect(chat.boxes().map((b) => b.room.id)).toEqual([1, 3]));
      expect(socket.sent('rooms:list')).toHaveLength(2);
    });

    it('restores them only once every page of my rooms came: a room on a later page is not taken for one I left', async () => {
      const { socket, rooms, chat } = setUp();
      saved({ open: [1, 60], collapsed: [], closed: [] });
      const timedOut = { ok: false as const, error: { code: 'internal' as const, message: 'The server did not answer in time.' } };
      socket.responders['rooms:list'] = ({ cursor }) => (cursor === undefined ? { ok: true, rooms: [group(1, 'lobby')], nextCursor: 'after-1' } : timedOut);
      socket.responders.sync = () => ({ ok: true, rooms: [], joined: [], left: [] });
      socket.connectFirst();
      await settle();
      expect(rooms.mine().map((r) => r.id)).toEqual([1]);
      expect(chat.boxes()).toEqual([]);

      socket.responders['rooms:list'] = ({ cursor }) =>
        cursor === undefined ? { ok: true, rooms: [group(1, 'lobby')], nextCursor: 'after-1' } : { ok: true, rooms: [group(60, 'further down')], nextCursor: null };
      socket.reconnect();
      await vi.waitFor(() => expect(chat.boxes().map((b) => b.room.id)).toEqual([1, 60]));
      expect(remembered()).toEqual({ open: [1, 60], collapsed: [], closed: [] });
    });

    it('loads only the boxes on screen; one under "+N" loads when it comes on screen', async () => {
      const { socket, rooms, chat, dock } = setUp();
      dock.setLayout({ capacity: 2, overlay: false });
      saved({ open: [1, 2, 3], collapsed: [], closed: [] });
      for (const id of [1, 2, 3]) rooms.upsert(group(id, `room ${id}`));
      socket.responders['room:history'] = ({ roomId }) => ({ ok: true, messages: [message(roomId, 1)] });

      await chat.restoreDock();
      expect(socket.sent('room:history')).toEqual([
        { roomId: 2, limit: LIMITS.historyDefault },
        { roomId: 3, limit: LIMITS.historyDefault },
      ]);
      expect(dock.hidden()).toEqual([1]);

      chat.close(3);
      TestBed.tick();
      await vi.waitFor(() => expect(chat.boxes().map((b) => b.room.id)).toEqual([1, 2]));
      expect(socket.sent('room:history')).toHaveLength(3);
    });

    it('keeps a few boxes under "+N" at most: the oldest go, and are not remembered', async () => {
      const { rooms, chat, dock } = setUp();
      dock.setLayout({ capacity: 2, overlay: false });
      await chat.restoreDock();
      for (let id = 1; id <= 30; id++) {
        rooms.upsert(group(id, `room ${id}`));
        dock.arrive(id, { mine: false, muted: false });
      }
      expect(dock.shown()).toEqual([1, 2]);
      expect(dock.hidden()).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
      expect(remembered().open).toHaveLength(2 + HIDDEN_KEPT);
    });

    it('keeps what it remembers through a log-out, and remembers nothing before restoring', async () => {
      const { rooms, chat } = setUp();
      saved({ open: [1], collapsed: [], closed: [] });
      rooms.upsert(group(1, 'lobby'));
      rooms.upsert(group(3, 'popped'));
      chat.show(group(3, 'popped'), []);
      expect(remembered()).toEqual({ open: [1], collapsed: [], closed: [] });

      await chat.restoreDock();
      expect(remembered().open).toEqual([1, 3]);
      chat.reset();
      expect(remembered().open).toEqual([1, 3]);
      expect(chat.boxes()).toEqual([]);
    });
  });
  describe('changes to messages', () => {
    const changed = (m: Message, changes: Partial<Message>): Message => ({ ...m, ...changes });

    it('takes an edit or a reaction made anywhere, keeping which reactions are mine, and ignores an older copy', () => {
      const { socket, chat, rooms } = setUp();
      const held = changed(message(1, 1), { changeSeq: 1, reactions: [{ emoji: '👍', count: 1, me: true }] });
      chat.show({ ...group(1, 'lobby'), lastSeq: 1, lastMessage: held, changeSeq: 1 }, [held]);
      const shown = () => chat.boxes()[0]!.conversation.messages[0]!;

      const edited = changed(held, { body: 'edited', editedAt: '2026-11-24T10:05:00.000Z', changeSeq: 2, reactions: [{ emoji: '👍', count: 1, me: false }] });
      socket.serverSends('message:updated', { message: edited, reaction: null });
      expect(shown()).toEqual({ ...edited, reactions: [{ emoji: '👍', count: 1, me: true }] });
      expect(rooms.byId().get(1)!.lastMessage!.body).toBe('edited');

      // Someone else gave 👍, and my other device 🎉.
      const withParty = changed(edited, { changeSeq: 3, reactions: [{ emoji: '👍', count: 2, me: false }, { emoji: '🎉', count: 1, me: false }] });
      socket.serverSends('message:updated', { message: withParty, reaction: { userId: alice.id, emoji: '🎉', on: true } });
      expect(shown().reactions).toEqual([{ emoji: '👍', count: 2, me: true }, { emoji: '🎉', count: 1, me: true }]);

      socket.serverSends('message:updated', { message: edited, reaction: null });
      expect(shown().changeSeq).toBe(3);
    });

    it('takes changes to the messages it holds only, and brings the quotes of replies to them up to date', async () => {
      const { socket, chat } = setUp();
      const original = message(1, 40, bob, 'the plan');
      const reply = { ...message(1, 41, alice, 'ok'), replyTo: { id: original.id, seq: 40, author: bob, excerpt: 'the plan', deleted: false } };
      chat.show({ ...group(1, 'lobby'), lastSeq: 41 }, [original, reply]);
      const deleted = changed(original, { body: '', deletedAt: '2026-11-24T10:06:00.000Z', changeSeq: 2 });
      socket.responders.sync = () => ({
        ok: true,
        joined: [],
        left: [],
        // Message 3, far before what is held, was reacted to: it stays out, or older pages would skip 4 to 39.
        rooms: [{ roomId: 1, messages: [], changed: [changed(message(1, 3), { changeSeq: 1 }), deleted], changeSeq: 2, complete: true }],
      });

      socket.reconnect();
      await settle();

      const held = chat.boxes()[0]!.conversation.messages;
      expect(held.map((m) => m.seq)).toEqual([40, 41]);
      expect(held[0]).toEqual(deleted);
      expect(held[1]!.replyTo).toEqual({ id: original.id, seq: 40, author: bob, excerpt: '', deleted: true });
    });

    it('mends a page of history that was read before a change it heard of meanwhile', async () => {
      const { socket, chat } = setUp();
      chat.show({ ...group(1, 'lobby'), lastSeq: 50 }, [message(1, 50)]);
      let answer!: (ack: { ok: true; messages: Message[] }) => void;
      socket.responders['room:history'] = () => new Promise((resolve) => (answer = resolve));
      const loading = chat.loadOlder(1);
      const edited = changed(message(1, 49), { body: 'edited', editedAt: '2026-11-24T10:05:00.000Z', changeSeq: 1 });
      socket.serverSends('message:updated', { message: edited, reaction: null });
      answer({ ok: true, messages: [message(1, 49)] });
      await loading;
      expect(chat.boxes()[0]!.conversation.messages[0]!.body).toBe('edited');
    });

    it('names a loaded chat with its change count in sync, and takes the changes it brings', async () => {
      const { socket, chat } = setUp();
      chat.show({ ...group(1, 'lobby'), lastSeq: 2, changeSeq: 4 }, [message(1, 1), message(1, 2)]);
      // A live change next in line moves the count; one out of line does not.
      socket.serverSends('message:updated', { message: changed(message(1, 1), { changeSeq: 5 }), reaction: null });
      socket.serverSends('message:updated', { message: changed(message(1, 2), { changeSeq: 7 }), reaction: null });
      const deleted = changed(message(1, 2), { body: '', deletedAt: '2026-11-24T10:06:00.000Z', changeSeq: 8 });
      socket.responders.sync = () => ({
        ok: true,
        joined: [],
        left: [],
        rooms: [{ roomId: 1, messages: [], changed: [deleted], changeSeq: 8, complete: true }],
      });

      socket.reconnect();
      await settle();

      expect(socket.sent('sync')[0]).toEqual({ rooms: { 1: { seq: 2, changeSeq: 5 } } });
      expect(chat.boxes()[0]!.conversation.messages[1]).toEqual(deleted);
      socket.reconnect();
      await settle();
      expect(socket.sent('sync').at(-1)).toEqual({ rooms: { 1: { seq: 2, changeSeq: 8 } } });
    });
  });
});
