import { alice, bob, message } from '../../testing/fake-chat-socket';
import { hasUnreadFromOthers, timeline } from './timeline';

/** A message of `author` at a local time; `message()` numbers ids and seqs. */
function at(seq: number, author: typeof alice, when: Date) {
  return { ...message(3, seq, author), createdAt: when.toISOString() };
}

const now = new Date(2026, 11, 1, 18, 0);
const context = { me: alice.id, unreadAfter: null, peerLastReadSeq: null, now };

describe('timeline', () => {
  it('puts a day separator above the first message of each local day', () => {
    const entries = timeline(
      [
        at(1, bob, new Date(2026, 10, 30, 9, 0)),
        at(2, alice, new Date(2026, 10, 30, 23, 0)),
        at(3, bob, new Date(2026, 11, 1, 8, 0)),
        at(4, alice, new Date(2026, 11, 1, 9, 0)),
      ],
      context,
    );
    expect(entries.map((entry) => entry.day)).toEqual(['Yesterday', null, 'Today', null]);
  });

  it('puts "New messages" above the first message from someone else after the marker, never above mine', () => {
    const messages = [message(3, 1, bob), message(3, 2, alice), message(3, 3, alice), message(3, 4, bob), message(3, 5, bob)];
    const entries = timeline(messages, { ...context, unreadAfter: 2 });
    expect(entries.filter((entry) => entry.firstUnread).map((entry) => entry.message.seq)).toEqual([4]);
    expect(timeline(messages, context).some((entry) => entry.firstUnread)).toBe(false);
    expect(timeline(messages, { ...context, unreadAfter: 5 }).some((entry) => entry.firstUnread)).toBe(false);
  });

  it('shows "Seen" once, under my newest message the peer has read', () => {
    const messages = [message(3, 1, alice), message(3, 2, alice), message(3, 3, alice)];
    const seenAt = (peerLastReadSeq: number | null) =>
      timeline(messages, { ...context, peerLastReadSeq }).filter((entry) => entry.seen).map((entry) => entry.message.seq);
    expect(seenAt(3)).toEqual([3]);
    expect(seenAt(2)).toEqual([2]);
    expect(seenAt(0)).toEqual([]);
    // A group has no peer marker: no "Seen".
    expect(seenAt(null)).toEqual([]);
  });

  it('drops "Seen" once the peer has written after it: their reply says they saw it', () => {
    const messages = [message(3, 1, alice), message(3, 2, bob), message(3, 3, alice)];
    const seen = (peerLastReadSeq: number) =>
      timeline(messages, { ...context, peerLastReadSeq }).filter((entry) => entry.seen).map((entry) => entry.message.seq);
    expect(seen(2)).toEqual([]);
    expect(seen(3)).toEqual([3]);
  });

  it('marks my messages as mine', () => {
    expect(timeline([message(3, 1, alice), message(3, 2, bob)], context).map((entry) => entry.mine)).toEqual([true, false]);
  });
});

describe('hasUnreadFromOthers', () => {
  it('counts only what others wrote after the marker', () => {
    const messages = [message(3, 1, bob), message(3, 2, alice)];
    expect(hasUnreadFromOthers(messages, 0, alice.id)).toBe(true);
    expect(hasUnreadFromOthers(messages, 1, alice.id)).toBe(false);
  });
});
