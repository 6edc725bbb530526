import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FakeChatSocket, alice, bob, message, settle } from '../../testing/fake-chat-socket';
import { directWithBob, groupRoom } from '../../testing/rooms';
import { ChatSocket } from '../core/chat-socket';
import { PageVisibility } from '../core/page-visibility';
import { SessionStore } from '../core/session.store';
import { RoomsStore } from '../rooms/rooms.store';
import { DesktopNotifications, notificationFor } from './desktop-notifications';
import { loadMarkdown } from '../markdown/markdown-parser';

/** Stands in for the browser's Notification: records what is shown and how often permission is asked. */
class FakeNotification {
  static permission: NotificationPermission = 'default';
  static answer: NotificationPermission = 'granted';
  static asked = 0;
  static shown: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.shown.push(this);
  }
  static async requestPermission(): Promise<NotificationPermission> {
    FakeNotification.asked += 1;
    FakeNotification.permission = FakeNotification.answer;
    return FakeNotification.answer;
  }
  close(): void {}
}

function setUp() {
  localStorage.clear();
  FakeNotification.permission = 'default';
  FakeNotification.answer = 'granted';
  FakeNotification.asked = 0;
  FakeNotification.shown = [];
  vi.stubGlobal('Notification', FakeNotification);
  const visible = signal(true);
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      { provide: ChatSocket, useClass: FakeChatSocket },
      { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } },
      { provide: PageVisibility, useValue: { visible: visible.asReadonly() } },
    ],
  });
  const socket = TestBed.inject(ChatSocket) as unknown as FakeChatSocket;
  socket.responders['room:history'] = () => ({ ok: true, messages: [] });
  const rooms = TestBed.inject(RoomsStore);
  rooms.upsert(directWithBob(7));
  rooms.upsert(groupRoom(8, 'Muted', { muted: true }));
  return { socket, visible, notifications: TestBed.inject(DesktopNotifications) };
}

describe('DesktopNotifications', () => {
  // The parser comes in a chunk of its own (see markdown-parser.ts); these tests are about what it makes.
  beforeAll(() => loadMarkdown());

  afterEach(() => vi.unstubAllGlobals());

  it('asks for permission only when turned on, and remembers the choice', async () => {
    const { notifications } = setUp();
    expect(FakeNotification.asked).toBe(0);
    expect(notifications.on()).toBe(false);
    await notifications.toggle();
    expect(FakeNotification.asked).toBe(1);
    expect(notifications.on()).toBe(true);
    expect(localStorage.getItem('parley.notifications')).toBe('on');
    await notifications.toggle();
    expect(notifications.on()).toBe(false);
  });

  it('stays off when the browser refuses', async () => {
    const { notifications } = setUp();
    FakeNotification.answer = 'denied';
    await notifications.toggle();
    expect(notifications.on()).toBe(false);
    expect(notifications.permission()).toBe('denied');
  });

  it('notifies while the page is hidden, for others’ messages in chats not muted', async () => {
    const { socket, visible, notifications } = setUp();
    await notifications.toggle();
    socket.serverSends('message:new', message(7, 1, bob, 'seen on screen'));
    visible.set(false);
    socket.serverSends('message:new', message(8, 1, bob, 'muted room'));
    socket.serverSends('message:new', message(7, 2, alice, 'mine, from my phone'));
    socket.serverSends('message:new', message(7, 3, bob, 'lunch?'));
    expect(FakeNotification.shown.map((n) => [n.title, n.options.body])).toEqual([['Bob Builder', 'lunch?']]);
  });

  it('after being away, notifies once per chat not muted for what others wrote past my marker, counting the rest', async () => {
    const { socket, visible, notifications } = setUp();
    await notifications.toggle();
    socket.responders['rooms:list'] = () => ({
      ok: true,
      rooms: [directWithBob(7, { lastSeq: 1, lastReadSeq: 1 }), groupRoom(8, 'Muted', { muted: true, lastSeq: 0 })],
      nextCursor: null,
    });
    socket.responders.sync = () => ({
      ok: true,
      joined: [],
      left: [],
      rooms: [
        // My message from another device at seq 3 moved my marker past Bob's at seq 2.
        { roomId: 7, messages: [message(7, 2, bob, 'before mine'), message(7, 3, alice, 'mine'), message(7, 4, bob, 'you there?'), message(7, 5, bob, 'lunch?')], changed: [], changeSeq: 0, complete: true },
        { roomId: 8, messages: [message(8, 1, bob, 'muted room')], changed: [], changeSeq: 0, complete: true },
      ],
    });
    visible.set(false);
    socket.reconnect();
    await vi.waitFor(() => expect(socket.sent('sync')).toHaveLength(1));
    await settle();
    expect(FakeNotification.shown.map((n) => [n.title, n.options.body, n.options.tag])).toEqual([
      ['Bob Builder', 'lunch? (+1 more)', 'parley-room-7'],
    ]);
  });

  it('names the room and the author in a group, and cuts a long preview', () => {
    const long = 'word '.repeat(60);
    const { title, body } = notificationFor(groupRoom(3, 'Book club'), message(3, 1, bob, long));
    expect(title).toBe('Book club');
    expect(body.startsWith('Bob: word word')).toBe(true);
    expect(body.length).toBeLessThanOrEqual(145);
    expect(body.endsWith('…')).toBe(true);
  });

  it('previews the message without its Markdown', () => {
    expect(notificationFor(undefined, message(3, 1, bob, '**Lunch** at [the place](https://example.org)?\n- soup')).body).toBe('Lunch at the place? soup');
  });
});
