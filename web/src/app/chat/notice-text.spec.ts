import { alice, bob, message, notice } from '../../testing/fake-chat-socket';
import { noticeText } from './notice-text';

describe('noticeText', () => {
  it('says who joined, left or was removed, and by whom, with "you" for me', () => {
    expect(noticeText(notice(1, 1, 'joined', bob), alice.id)).toBe('Bob Builder joined');
    expect(noticeText(notice(1, 2, 'left', alice), alice.id)).toBe('You left');
    expect(noticeText(notice(1, 3, 'removed', bob, alice), alice.id)).toBe('You removed Bob Builder');
    expect(noticeText(notice(1, 4, 'removed', alice, bob), alice.id)).toBe('Bob Builder removed you');
    expect(noticeText(notice(1, 5, 'removed', bob, alice), bob.id)).toBe('Alice Liddell removed you');
  });

  it('is null for what a person wrote', () => {
    expect(noticeText(message(1, 1, bob, 'joined'), alice.id)).toBeNull();
  });
});
