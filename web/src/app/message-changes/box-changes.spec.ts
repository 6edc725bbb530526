import { describe, expect, it } from 'vitest';
import { alice, bob, message } from '../../testing/fake-chat-socket';
import { groupRoom } from '../../testing/rooms';
import { BoxChanges, EDIT_WINDOW_MS } from './box-changes';

describe('BoxChanges', () => {
  const sentAt = Date.parse(message(1, 1).createdAt);
  const changes = (now = sentAt + 1000) => new BoxChanges(() => alice.id, () => now);

  it('offers to edit my standing messages within the window only', () => {
    const mine = message(1, 1, alice);
    expect(changes().canEdit(mine)).toBe(true);
    expect(changes(sentAt + EDIT_WINDOW_MS + 1).canEdit(mine)).toBe(false);
    expect(changes().canEdit(message(1, 1, bob))).toBe(false);
    expect(changes().canEdit({ ...mine, deletedAt: '2026-11-24T10:01:00.000Z' })).toBe(false);
  });

  it('offers to delete mine, and others’ in a group I own or moderate', () => {
    const room = groupRoom(1, 'lobby');
    expect(changes().canDelete(message(1, 1, alice), room)).toBe(true);
    expect(changes().canDelete(message(1, 1, bob), room)).toBe(false);
    expect(changes().canDelete(message(1, 1, bob), { ...room, role: 'moderator' })).toBe(true);
    expect(changes().canDelete(message(1, 1, bob), { ...room, kind: 'direct', role: 'owner' })).toBe(false);
  });

  it('finds my newest message still editable for Up-arrow', () => {
    const messages = [message(1, 1, alice), message(1, 2, bob), message(1, 3, alice, 'last'), message(1, 4, bob)];
    expect(changes().lastEditable(messages)?.seq).toBe(3);
    expect(changes().lastEditable([{ ...messages[2]!, deletedAt: '2026-11-24T10:01:00.000Z' }])).toBeUndefined();
    expect(changes(sentAt + EDIT_WINDOW_MS * 2).lastEditable(messages)).toBeUndefined();
  });
});
