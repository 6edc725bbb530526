import { alice, bob, message, notice } from '../../testing/fake-chat-socket';
import { directWithBob, groupRoom } from '../../testing/rooms';
import { chatName, chatPreview, chatTime } from './chat-name';
import { loadMarkdown } from '../markdown/markdown-parser';

describe('a row of the Chats list', () => {
  // The parser comes in a chunk of its own (see markdown-parser.ts); these tests are about what it makes.
  beforeAll(() => loadMarkdown());

  it('is named after the other person, or the room', () => {
    expect(chatName(directWithBob(1))).toBe('Bob Builder');
    expect(chatName(groupRoom(2, 'Book club'))).toBe('Book club');
  });

  it('previews the last message on one line: "You: …" for mine, the author in a group', () => {
    expect(chatPreview(directWithBob(1), alice.id)).toBe('No messages yet');
    expect(chatPreview(directWithBob(1, { lastMessage: message(1, 1, bob, 'see\nyou  soon') }), alice.id)).toBe('see you soon');
    expect(chatPreview(directWithBob(1, { lastMessage: message(1, 1, alice, 'on my way') }), alice.id)).toBe('You: on my way');
    expect(chatPreview(groupRoom(2, 'Club', { lastMessage: message(2, 1, bob, 'chapter 3') }), alice.id)).toBe('Bob: chapter 3');
    const deleted = { ...message(2, 2, bob, ''), deletedAt: '2026-11-24T10:01:00.000Z', changeSeq: 1 };
    expect(chatPreview(groupRoom(2, 'Club', { lastMessage: deleted }), alice.id)).toBe('Bob: Message deleted');
  });

  it('previews the last message without its Markdown', () => {
    const formatted = message(1, 1, bob, '**Done**: see [the notes](https://example.org/n) and `npm test`');
    expect(chatPreview(directWithBob(1, { lastMessage: formatted }), alice.id)).toBe('Done: see the notes and npm test');
  });

  it('previews a notice as what it says, with no author before it', () => {
    expect(chatPreview(groupRoom(1, 'Lobby', { lastMessage: notice(1, 3, 'joined', bob) }), alice.id)).toBe('Bob Builder joined');
  });

  it('dates the last message: the time today, the weekday this week, then the date', () => {
    const now = new Date(2026, 10, 25, 15, 0);
    expect(chatTime(new Date(2026, 10, 25, 9, 5).toISOString(), now)).toBe('9:05\u202fAM');
    expect(chatTime(new Date(2026, 10, 24, 23, 59).toISOString(), now)).toBe('Tue');
    expect(chatTime(new Date(2026, 10, 19, 12, 0).toISOString(), now)).toBe('Thu');
    expect(chatTime(new Date(2026, 10, 18, 12, 0).toISOString(), now)).toBe('Nov 18');
    expect(chatTime(new Date(2025, 0, 2, 12, 0).toISOString(), now)).toBe('Jan 2, 2025');
  });
});
