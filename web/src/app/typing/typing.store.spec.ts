import { provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeChatSocket, alice, bob, message } from '../../testing/fake-chat-socket';
import { ChatSocket } from '../core/chat-socket';
import { TYPING_SEND_EVERY_MS, TYPING_SHOWN_FOR_MS, TypingStore } from './typing.store';

const carol = { ...bob, id: 3, username: 'carol', firstName: 'Carol' };

function setUp() {
  TestBed.configureTestingModule({
    providers: [provideZonelessChangeDetection(), FakeChatSocket, { provide: ChatSocket, useExisting: FakeChatSocket }],
  });
  const socket = TestBed.inject(FakeChatSocket);
  socket.responders = { typing: () => ({ ok: true }) };
  return { store: TestBed.inject(TypingStore), socket };
}

describe('TypingStore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('tells the others at the first keystroke, then at most once per 3 s however fast I type', () => {
    const { store, socket } = setUp();
    for (let key = 0; key < 10; key += 1) {
      store.typed(7);
      vi.advanceTimersByTime(200);
    }
    expect(socket.sent('typing')).toEqual([{ roomId: 7 }]);
    vi.advanceTimersByTime(TYPING_SEND_EVERY_MS - 2000);
    store.typed(7);
    expect(socket.sent('typing')).toEqual([{ roomId: 7 }, { roomId: 7 }]);
  });

  it('keeps each room’s pace apart', () => {
    const { store, socket } = setUp();
    store.typed(7);
    store.typed(8);
    store.typed(7);
    expect(socket.sent('typing')).toEqual([{ roomId: 7 }, { roomId: 8 }]);
  });

  it('after a draft is sent or emptied, the next keystroke is news again', () => {
    const { store, socket } = setUp();
    store.typed(7);
    store.draftEnded(7);
    store.typed(7);
    expect(socket.sent('typing')).toHaveLength(2);
  });

  it('shows who is typing per room, first to start first, and drops each after 5 s without news', () => {
    const { store, socket } = setUp();
    socket.serverSends('typing', { roomId: 7, userId: bob.id });
    vi.advanceTimersByTime(1000);
    socket.serverSends('typing', { roomId: 7, userId: carol.id });
    socket.serverSends('typing', { roomId: 8, userId: carol.id });
    expect(store.byRoom().get(7)).toEqual([bob.id, carol.id]);
    expect(store.byRoom().get(8)).toEqual([carol.id]);

    vi.advanceTimersByTime(TYPING_SHOWN_FOR_MS - 1000);
    expect(store.byRoom().get(7)).toEqual([carol.id]);
    vi.advanceTimersByTime(1000);
    expect(store.byRoom().has(7)).toBe(false);
    expect(store.byRoom().has(8)).toBe(false);
  });

  it('keeps showing someone who keeps typing', () => {
    const { store, socket } = setUp();
    socket.serverSends('typing', { roomId: 7, userId: bob.id });
    vi.advanceTimersByTime(TYPING_SEND_EVERY_MS);
    socket.serverSends('typing', { roomId: 7, userId: bob.id });
    vi.advanceTimersByTime(TYPING_SHOWN_FOR_MS - 1);
    expect(store.byRoom().get(7)).toEqual([bob.id]);
    vi.advanceTimersByTime(1);
    expect(store.byRoom().has(7)).toBe(false);
  });

  it('drops someone at their next message in that room, not at a message elsewhere or by someone else', () => {
    const { store, socket } = setUp();
    socket.serverSends('typing', { roomId: 7, userId: bob.id });
    socket.serverSends('typing', { roomId: 8, userId: bob.id });
    socket.serverSends('message:new', message(7, 1, alice));
    socket.serverSends('message:new', message(9, 1, bob));
    expect(store.byRoom().get(7)).toEqual([bob.id]);
    socket.serverSends('message:new', message(7, 2, bob));
    expect(store.byRoom().has(7)).toBe(false);
    expect(store.byRoom().get(8)).toEqual([bob.id]);
  });
});
