import { provideZonelessChangeDetection, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { Room } from '@parley/protocol';
import { FakeChatSocket, alice, bob, message } from '../../testing/fake-chat-socket';
import { ChatSocket } from '../core/chat-socket';
import { PageVisibility } from '../core/page-visibility';
import { SessionStore } from '../core/session.store';
import { DockStore } from '../dock/dock.store';
import { ReadsStore } from '../reads/reads.store';
import { RoomsStore } from '../rooms/rooms.store';
import { ChatBoxComponent } from './chat-box';
import { ChatStore, type ChatBox } from './chat.store';
import { loadMarkdown } from '../markdown/markdown-parser';

const room = (changes: Partial<Room>): Room => ({
  id: 3,
  kind: 'group',
  name: 'Lobby',
  protected: false,
  joined: true,
  memberCount: 3,
  lastSeq: 2,
  lastActivityAt: '2026-11-24T10:00:00.000Z',
  createdAt: '2026-11-24T10:00:00.000Z',
  peer: null,
  lastReadSeq: 2,
  unread: 0,
  lastMessage: null,
  muted: false,
  peerLastReadSeq: null,
  role: 'member',
  changeSeq: 0,
  ...changes,
});

/** Bob's look-alike: another account that took Bob's first and last name. */
const impostor = { ...bob, id: 9, username: 'b0b_builder' };

interface Rendered {
  element: HTMLElement;
  fixture: ComponentFixture<ChatBoxComponent>;
  markRead: ReturnType<typeof vi.fn>;
  visible: ReturnType<typeof signal<boolean>>;
  socket: FakeChatSocket;
}

function mount(box: ChatBox, { visible = true } = {}): Rendered {
  const markRead = vi.fn();
  const pageVisible = signal(visible);
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      FakeChatSocket,
      { provide: ChatSocket, useExisting: FakeChatSocket },
      { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } },
      { provide: ReadsStore, useValue: { markRead } },
      { provide: PageVisibility, useValue: { visible: pageVisible.asReadonly() } },
    ],
  });
  const fixture = TestBed.createComponent(ChatBoxComponent);
  fixture.componentRef.setInput('box', box);
  fixture.detectChanges();
  return { element: fixture.nativeElement as HTMLElement, fixture, markRead, visible: pageVisible, socket: TestBed.inject(FakeChatSocket) };
}

function render(box: ChatBox): HTMLElement {
  return mount(box).element;
}

/** The list's items as text, messages by their body: what the box shows, top to bottom. */
function items(element: HTMLElement): string[] {
  return [...element.querySelectorAll('.messages > li')].map((item) =>
    item.classList.contains('message') ? `[${item.querySelector('.body')?.textContent?.trim()}]` : (item.textContent?.trim() ?? ''),
  );
}

const conversation = (messages: ReturnType<typeof message>[]) => ({
  roomId: 3,
  messages,
  outbox: [],
  reachedStart: true,
  loadingOlder: false,
  unread: 0,
});

describe('ChatBox', () => {
  // The parser comes in a chunk of its own (see markdown-parser.ts); these tests are about what it makes.
  beforeAll(() => loadMarkdown());

  it('shows each author’s @username beside their name in a group, so two people with one name can be told apart', () => {
    const element = render({
      room: room({}),
      conversation: conversation([message(3, 1, bob, 'the real one'), message(3, 2, impostor, 'trust me')]),
      collapsed: false,
    });
    const authors = [...element.querySelectorAll('.author')].map((author) => author.textContent?.replace(/\s+/g, ' ').trim());
    expect(authors).toEqual(['Bob Builder @bob', 'Bob Builder @b0b_builder']);
  });

  it('shows no author line in a direct chat: the box’s title says who it is', () => {
    const element = render({ room: room({ kind: 'direct', name: null, peer: bob }), conversation: conversation([message(3, 1, bob)]), collapsed: false });
    expect(element.querySelector('.author')).toBeNull();
  });

  it('with someone I blocked, says so in place of the composer, and unblocks them there', async () => {
    const direct = room({ kind: 'direct', name: null, peer: bob });
    const { element, fixture, socket } = mount({ room: direct, conversation: conversation([]), collapsed: false });
    TestBed.inject(RoomsStore).upsert(direct);
    expect(element.querySelector('textarea')).not.toBeNull();

    socket.serverSends('user:blocked', { userId: bob.id, blocked: true });
    await fixture.whenStable();
    expect(element.querySelector('textarea')).toBeNull();
    const notice = element.querySelector('app-blocked-notice')!;
    expect(notice.textContent).toContain('You blocked Bob Builder.');

    socket.responders['user:block'] = () => ({ ok: true });
    notice.querySelector('button')!.click();
    await fixture.whenStable();
    expect(socket.sent('user:block')).toEqual([{ userId: bob.id, blocked: false }]);
    expect(element.querySelector('app-blocked-notice')).toBeNull();
    expect(element.querySelector('textarea')).not.toBeNull();
  });

  it('isolates names and bodies as bidi text, so right-to-left text cannot reorder what is drawn around it', () => {
    const hebrew = { ...bob, id: 10, username: 'sarah', firstName: 'שרה', lastName: 'כהן' };
    const element = render({
      room: room({ name: 'חדר' }),
      conversation: conversation([message(3, 1, hebrew, 'שלום 123')]),
      collapsed: false,
    });
    expect(element.querySelector('.title bdi')?.textContent).toBe('חדר');
    expect(element.querySelector('.author bdi')?.textContent).toBe('שרה כהן');
    const body = element.querySelector('.message app-message-body');
    expect(body?.getAttribute('dir')).toBe('auto');
    expect(body?.textContent).toBe('שלום 123');
  });
});

describe('ChatBox reading', () => {
  const direct = (changes: Partial<Room>) => room({ kind: 'direct', name: null, peer: bob, peerLastReadSeq: 0, ...changes });

  it('opened with unread messages: "New messages" goes above the first of them, and the chat is read up to the newest', async () => {
    const messages = [message(3, 1, bob, 'old'), message(3, 2, alice, 'mine'), message(3, 3, bob, 'one'), message(3, 4, bob, 'two')];
    const { element, fixture, markRead } = mount({
      room: direct({ lastSeq: 4, lastReadSeq: 2, unread: 2 }),
      conversation: conversation(messages),
      collapsed: false,
    });
    await fixture.whenStable();
    expect(items(element)).toEqual(['This is the beginning of the conversation.', expect.any(String), '[old]', '[mine]', 'New messages', '[one]', '[two]']);
    expect(markRead).toHaveBeenCalledWith(3, 4);

    // Read: the marker moves, and the divider stays while the person reads.
    fixture.componentRef.setInput('box', { room: direct({ lastSeq: 4, lastReadSeq: 4, unread: 0 }), conversation: conversation(messages), collapsed: false });
    await fixture.whenStable();
    expect(items(element)).toContain('New messages');
  });

  it('once all is read, "New messages" moves above the first message that then arrives unseen (tab hidden)', async () => {
    const messages = [message(3, 1, bob, 'old'), message(3, 2, bob, 'one')];
    const { element, fixture, visible } = mount({ room: direct({ lastSeq: 2, lastReadSeq: 1, unread: 1 }), conversation: conversation(messages), collapsed: false });
    await fixture.whenStable();
    fixture.componentRef.setInput('box', { room: direct({ lastSeq: 2, lastReadSeq: 2 }), conversation: conversation(messages), collapsed: false });
    await fixture.whenStable();
    expect(items(element).slice(-3)).toEqual(['[old]', 'New messages', '[one]']);

    visible.set(false);
    await fixture.whenStable();
    fixture.componentRef.setInput('box', {
      room: direct({ lastSeq: 3, lastReadSeq: 2, unread: 1 }),
      conversation: conversation([...messages, message(3, 3, bob, 'later')]),
      collapsed: false,
    });
    await fixture.whenStable();
    expect(items(element).slice(-4)).toEqual(['[old]', '[one]', 'New messages', '[later]']);
  });

  it('once all is read, "New messages" moves above the first message that then arrives unseen (box collapsed)', async () => {
    const messages = [message(3, 1, bob, 'old'), message(3, 2, bob, 'one')];
    const { element, fixture } = mount({ room: direct({ lastSeq: 2, lastReadSeq: 1, unread: 1 }), conversation: conversation(messages), collapsed: false });
    await fixture.whenStable();
    fixture.componentRef.setInput('box', { room: direct({ lastSeq: 2, lastReadSeq: 2 }), conversation: conversation(messages), collapsed: true });
    await fixture.whenStable();
    const later = conversation([...messages, message(3, 3, bob, 'later'), message(3, 4, bob, 'and more')]);
    fixture.componentRef.setInput('box', { room: direct({ lastSeq: 4, lastReadSeq: 2, unread: 2 }), conversation: later, collapsed: true });
    await fixture.whenStable();
    fixture.componentRef.setInput('box', { room: direct({ lastSeq: 4, lastReadSeq: 2, unread: 2 }), conversation: later, collapsed: false });
    await fixture.whenStable();
    expect(items(element).slice(-5)).toEqual(['[old]', '[one]', 'New messages', '[later]', '[and more]']);
  });

  it('shows no divider for messages that arrive while the chat is being read', async () => {
    const first = [message(3, 1, bob, 'hello')];
    const { element, fixture, markRead } = mount({ room: direct({ lastSeq: 1, lastReadSeq: 1 }), conversation: conversation(first), collapsed: false });
    await fixture.whenStable();
    fixture.componentRef.setInput('box', {
      room: direct({ lastSeq: 2, lastReadSeq: 1, unread: 1 }),
      conversation: conversation([...first, message(3, 2, bob, 'again')]),
      collapsed: false,
    });
    await fixture.whenStable();
    expect(markRead).toHaveBeenCalledWith(3, 2);
    expect(items(element)).not.toContain('New messages');
  });

  it('does not count as read while the page is hidden, and does once it is shown', async () => {
    const { fixture, markRead, visible } = mount(
      { room: direct({ lastSeq: 1, lastReadSeq: 0, unread: 1 }), conversation: conversation([message(3, 1, bob)]), collapsed: false },
      { visible: false },
    );
    await fixture.whenStable();
    expect(markRead).not.toHaveBeenCalled();
    visible.set(true);
    await fixture.whenStable();
    expect(markRead).toHaveBeenCalledWith(3, 1);
  });

  it('collapsed, it reads nothing and its header shows the room’s unread count, said by the expand button', async () => {
    const { element, fixture, markRead } = mount({
      room: direct({ lastSeq: 2, lastReadSeq: 0, unread: 2 }),
      conversation: conversation([message(3, 1, bob), message(3, 2, bob)]),
      collapsed: true,
    });
    await fixture.whenStable();
    expect(markRead).not.toHaveBeenCalled();
    const badge = element.querySelector('header .badge');
    expect(badge?.textContent).toBe('2');
    expect(badge?.getAttribute('aria-hidden')).toBe('true');
    expect(element.querySelector('header button[aria-expanded="false"]')?.getAttribute('aria-label')).toBe('Expand Chat with Bob Builder, 2 unread');

    fixture.componentRef.setInput('box', {
      room: direct({ lastSeq: 2, lastReadSeq: 2 }),
      conversation: conversation([message(3, 1, bob), message(3, 2, bob)]),
      collapsed: true,
    });
    await fixture.whenStable();
    expect(element.querySelector('header .badge')).toBeNull();
    expect(element.querySelector('header button[aria-expanded="false"]')?.getAttribute('aria-label')).toBe('Expand Chat with Bob Builder');
  });

  it('shows "Seen" under my newest message the other person has read', async () => {
    const messages = [message(3, 1, alice, 'first'), message(3, 2, alice, 'second')];
    const { element, fixture } = mount({ room: direct({ lastSeq: 2, lastReadSeq: 2, peerLastReadSeq: 1 }), conversation: conversation(messages), collapsed: false });
    await fixture.whenStable();
    expect(items(element).slice(-3)).toEqual(['[first]', 'Seen', '[second]']);
  });

  it('says who is typing in a polite live region, by first name', async () => {
    const { element, fixture, socket } = mount({ room: direct({}), conversation: conversation([message(3, 1, bob)]), collapsed: false });
    const region = element.querySelector('.typing');
    expect(region?.getAttribute('aria-live')).toBe('polite');
    socket.serverSends('typing', { roomId: 3, userId: bob.id });
    await fixture.whenStable();
    expect(region?.textContent?.trim()).toBe('Bob is typing…');
    socket.serverSends('message:new', message(3, 2, bob));
    await fixture.whenStable();
    expect(region?.textContent?.trim()).toBe('');
  });

  it('tells the others I am typing as the draft changes, not for a blank one', async () => {
    const { element, fixture, socket } = mount({ room: direct({}), conversation: conversation([]), collapsed: false });
    socket.responders = { typing: () => ({ ok: true }) };
    const composer = element.querySelector('textarea')!;
    composer.value = '   ';
    composer.dispatchEvent(new Event('input'));
    expect(socket.sent('typing')).toEqual([]);
    composer.value = 'Hel';
    composer.dispatchEvent(new Event('input'));
    composer.value = 'Hello';
    composer.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    expect(socket.sent('typing')).toEqual([{ roomId: 3 }]);
  });

  it('keeps a draft longer than a message may be, says how much is too much, and sends nothing until it is shortened', async () => {
    const { element, fixture } = mount({ room: direct({}), conversation: conversation([]), collapsed: false });
    const send = vi.spyOn(TestBed.inject(ChatStore), 'send').mockResolvedValue(undefined);
    const composer = element.querySelector('textarea')!;
    const typeIn = async (text: string) => {
      composer.value = text;
      composer.dispatchEvent(new Event('input'));
      await fixture.whenStable();
    };
    const count = () => element.querySelector('.count')?.textContent?.trim() ?? null;
    const sendButton = () => element.querySelector<HTMLButtonElement>('.composer button[type=submit]')!;

    await typeIn('a'.repeat(3000));
    expect(count()).toBeNull();
    await typeIn('a'.repeat(3990));
    expect(count()).toBe('3,990 / 4,000');
    await typeIn('a'.repeat(4012));
    expect(composer.value).toHaveLength(4012);
    expect(count()).toBe('12 characters too many');
    expect(composer.getAttribute('aria-invalid')).toBe('true');
    expect(composer.getAttribute('aria-describedby')).toBe(element.querySelector('.count')!.id);
    expect(sendButton().disabled).toBe(true);
    composer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }));
    expect(send).not.toHaveBeenCalled();

    await typeIn('a'.repeat(4000));
    expect(sendButton().disabled).toBe(false);
    composer.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }));
    expect(send).toHaveBeenCalledWith(3, 'a'.repeat(4000), undefined);
  });

  it('on a touch screen, Enter adds a line and the Send button sends', async () => {
    vi.stubGlobal('matchMedia', (query: string) => ({ matches: query === '(pointer: coarse)' }));
    try {
      const { element, fixture } = mount({ room: direct({}), conversation: conversation([]), collapsed: false });
      const send = vi.spyOn(TestBed.inject(ChatStore), 'send').mockResolvedValue(undefined);
      const composer = element.querySelector('textarea')!;
      composer.value = 'First line';
      composer.dispatchEvent(new Event('input'));
      await fixture.whenStable();
      const enter = new KeyboardEvent('keydown', { key: 'Enter', cancelable: true });
      composer.dispatchEvent(enter);
      expect(enter.defaultPrevented, 'the textarea adds the line').toBe(false);
      expect(send).not.toHaveBeenCalled();
      expect(composer.getAttribute('enterkeyhint')).toBe('enter');

      element.querySelector<HTMLButtonElement>('.composer button[type=submit]')!.click();
      expect(send).toHaveBeenCalledWith(3, 'First line', undefined);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('has a "Back to chats" button that closes the box', () => {
    const { element } = mount({ room: direct({}), conversation: conversation([]), collapsed: false });
    const close = vi.spyOn(TestBed.inject(ChatStore), 'close');
    element.querySelector<HTMLButtonElement>('button[aria-label="Back to chats"]')!.click();
    expect(close).toHaveBeenCalledWith(3);
  });
});

describe('ChatBox closing', () => {
  /** The Chats list as the page has it: a heading, and a row per chat whose button is described by its preview. */
  function chatsList(roomIds: number[]): HTMLElement {
    const list = document.createElement('section');
    list.innerHTML = `<h2 id="chats-heading">Chats</h2><ul aria-labelledby="chats-heading">${roomIds
      .map((id) => `<li><button type="button" aria-describedby="chat-preview-${id}">Chat ${id}</button><span id="chat-preview-${id}"></span></li>`)
      .join('')}</ul>`;
    document.body.append(list);
    onTestFinished(() => list.remove());
    return list;
  }
  const box = (): ChatBox => ({ room: room({ kind: 'direct', name: null, peer: bob }), conversation: conversation([]), collapsed: false });

  it('closing the box takes the keyboard to that chat’s row in the Chats list', () => {
    const list = chatsList([2, 3, 4]);
    const { element } = mount(box());
    const close = element.querySelector<HTMLButtonElement>('button[aria-label="Close Chat with Bob Builder"]')!;
    close.focus();
    close.click();
    expect(document.activeElement).toBe(list.querySelector('button[aria-describedby="chat-preview-3"]'));
  });

  it('closing the box while another view of the sidebar shows takes the keyboard to the Chats tab', () => {
    chatsList([3]);
    const tab = document.createElement('button');
    tab.id = 'view-tab-chats';
    tab.setAttribute('aria-selected', 'false');
    document.body.append(tab);
    onTestFinished(() => tab.remove());
    const { element } = mount(box());
    element.querySelector<HTMLButtonElement>('button[aria-label="Close Chat with Bob Builder"]')!.click();
    expect(document.activeElement).toBe(tab);
  });

  it('"Back to chats" takes the keyboard to the Chats heading when the chat has no row there', () => {
    const list = chatsList([2]);
    const { element } = mount(box());
    element.querySelector<HTMLButtonElement>('button[aria-label="Back to chats"]')!.click();
    const heading = list.querySelector('h2')!;
    expect(document.activeElement).toBe(heading);
    expect(heading.getAttribute('tabindex')).toBe('-1');
  });
});

describe('ChatBox and the keyboard', () => {
  /** A button elsewhere on the page, with the keyboard on it. */
  function focusedButton(name: string): HTMLButtonElement {
    const button = document.createElement('button');
    button.textContent = name;
    document.body.append(button);
    onTestFinished(() => button.remove());
    button.focus();
    return button;
  }
  const box = (collapsed = false): ChatBox => ({ room: room({ kind: 'direct', name: null, peer: bob }), conversation: conversation([]), collapsed });
  const escape = (target: Element) => target.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));

  it('opened by the person, takes the keyboard into its composer; Escape closes it and gives the keyboard back to the opener', async () => {
    const opener = focusedButton('Chat with Bob');
    const { element, fixture } = mount(box());
    const close = vi.spyOn(TestBed.inject(ChatStore), 'close');
    TestBed.inject(DockStore).open(3, { focus: true });
    await fixture.whenStable();
    const composer = element.querySelector('textarea')!;
    expect(document.activeElement).toBe(composer);

    escape(composer);
    expect(close).toHaveBeenCalledWith(3);
    expect(document.activeElement).toBe(opener);
  });

  it('leaves Escape alone when something inside the box took it first', () => {
    const { element } = mount(box());
    const close = vi.spyOn(TestBed.inject(ChatStore), 'close');
    const composer = element.querySelector('textarea')!;
    composer.addEventListener('keydown', (event) => event.preventDefault());
    escape(composer);
    expect(close).not.toHaveBeenCalled();
  });

  it('reached by the skip link while collapsed, takes the keyboard to its expand button, and the link does not count as its opener', async () => {
    focusedButton('Skip to open chats');
    const { element, fixture } = mount(box(true));
    TestBed.inject(ChatStore).focusBox(3);
    await fixture.whenStable();
    const expand = element.querySelector<HTMLButtonElement>('button[aria-label="Expand Chat with Bob Builder"]')!;
    expect(document.activeElement).toBe(expand);

    const heading = document.createElement('h2');
    heading.id = 'chats-heading';
    document.body.append(heading);
    onTestFinished(() => heading.remove());
    escape(expand);
    expect(document.activeElement).toBe(heading);
  });
});
