import { alice, bob, message } from '../../testing/fake-chat-socket';
import { mergeBySeq, newClientId, renameAuthor } from './messages';

describe('mergeBySeq', () => {
  it('appends a newer message', () => {
    expect(mergeBySeq([message(1, 1)], [message(1, 2)]).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('keeps each seq once and the list in order, whatever arrives twice or late', () => {
    const merged = mergeBySeq([message(1, 2), message(1, 5)], [message(1, 5), message(1, 1), message(1, 3), message(1, 2)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 5]);
  });

  it('returns the same list when nothing arrives', () => {
    const existing = [message(1, 1)];
    expect(mergeBySeq(existing, [])).toBe(existing);
  });
});

describe('renameAuthor', () => {
  it('gives the author’s new name to their messages, and leaves the others as they were', () => {
    const mine = message(1, 2, alice);
    const renamed = renameAuthor([message(1, 1), mine], { ...bob, firstName: 'Robert' });
    expect(renamed.map((m) => m.author.firstName)).toEqual(['Robert', 'Alice']);
    expect(renamed[1]).toBe(mine);
  });

  it('returns the same list when none of the messages is theirs', () => {
    const existing = [message(1, 1, alice)];
    expect(renameAuthor(existing, bob)).toBe(existing);
  });
});

describe('newClientId', () => {
  it('is different every time and fits the protocol', () => {
    const ids = new Set(Array.from({ length: 50 }, newClientId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
