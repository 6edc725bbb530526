import { provideZonelessChangeDetection, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Room } from '@parley/protocol';
import { FakeChatSocket, alice, bob, message } from '../../testing/fake-chat-socket';
import { ChatSocket } from '../core/chat-socket';
import { SessionStore } from '../core/session.store';
import { ChatBoxComponent } from './chat-box';
import type { ChatBox } from './chat.store';

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
  ...changes,
});

/** Bob's look-alike: another account that took Bob's first and last name. */
const impostor = { ...bob, id: 9, username: 'b0b_builder' };

function render(box: ChatBox): HTMLElement {
  TestBed.configureTestingModule({
    providers: [
      provideZonelessChangeDetection(),
      { provide: ChatSocket, useClass: FakeChatSocket },
      { provide: SessionStore, useValue: { user: signal(alice).asReadonly() } },
    ],
  });
  const fixture = TestBed.createComponent(ChatBoxComponent);
  fixture.componentRef.setInput('box', box);
  fixture.detectChanges();
  return fixture.nativeElement as HTMLElement;
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

  it('isolates names and bodies as bidi text, so right-to-left text cannot reorder what is drawn around it', () => {
    const hebrew = { ...bob, id: 10, username: 'sarah', firstName: 'שרה', lastName: 'כהן' };
    const element = render({
      room: room({ name: 'חדר' }),
      conversation: conversation([message(3, 1, hebrew, 'שלום 123')]),
      collapsed: false,
    });
    expect(element.querySelector('.title bdi')?.textContent).toBe('חדר');
    expect(element.querySelector('.author bdi')?.textContent).toBe('שרה כהן');
    const body = element.querySelector('.message app-message-text');
    expect(body?.getAttribute('dir')).toBe('auto');
    expect(body?.textContent).toBe('שלום 123');
  });
});
