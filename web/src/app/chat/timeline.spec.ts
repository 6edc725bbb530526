import { alice, bob, message, notice } from '../../testing/fake-chat-socket';
import { GROUP_GAP_MS, hasUnreadFromOthers, timeline } from './timeline';

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

  it('groups consecutive messages of one author, broken by another author, a pause, a new day or "New messages"', () => {
    const start = new Date(2026, 11, 1, 9, 0).getTime();
    const when = (minutes: number) => new Date(start + minutes * 60_000);
    const messages = [
      at(1, bob, when(0)),
      at(2, bob, when(1)),
      at(3, bob, when(2)),
      at(4, alice, when(3)),
      at(5, alice, when(3 + GROUP_GAP_MS / 60_000 + 1)),
      at(6, bob, when(20)),
      at(7, bob, when(21)),
    ];
    const runs = (entries: ReturnType<typeof timeline>) =>
      entries.map((entry) => `${entry.groupStart ? '[' : ''}${entry.message.seq}${entry.groupEnd ? ']' : ''}`).join(' ');
    expect(runs(timeline(messages, context))).toBe('[1 2 3] [4] [5] [6 7]');
    expect(runs(timeline(messages, { ...context, unreadAfter: 1 }))).toBe('[1] [2 3] [4] [5] [6 7]');
    // After midnight a run starts again under its day separator.
    const overnight = [at(1, bob, new Date(2026, 10, 30, 23, 58)), at(2, bob, new Date(2026, 11, 1, 0, 1))];
    expect(runs(timeline(overnight, context))).toBe('[1] [2]');
  });

  it('never runs a notice into a group of messages: Bob joining splits his messages in two', () => {
    const start = new Date(2026, 11, 1, 9, 0).getTime();
    const messages = [at(1, bob, new Date(start)), { ...notice(3, 2, 'joined', bob), createdAt: new Date(start + 1000).toISOString() }, at(3, bob, new Date(start + 2000))];
    const runs = timeline(messages, context).map((entry) => [entry.message.seq, entry.groupStart, entry.groupEnd]);
    expect(runs).toEqual([
      [1, true, true],
      [2, true, true],
      [3, true, true],
    ]);
  });

  it('ends a run at "Seen", which sits between two of its messages', () => {
    const messages = [message(3, 1, alice), message(3, 2, alice), message(3, 3, alice)];
    const entries = timeline(messages, { ...context, peerLastReadSeq: 2 });
    expect(entries.map((entry) => entry.groupEnd)).toEqual([false, true, true]);
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
