import { typingLabel } from './typing-label';

describe('typingLabel', () => {
  it('names one or two people by first name, and stops naming at three', () => {
    expect(typingLabel([])).toBe('');
    expect(typingLabel(['Alice'])).toBe('Alice is typing…');
    expect(typingLabel(['Alice', 'Bob'])).toBe('Alice and Bob are typing…');
    expect(typingLabel(['Alice', 'Bob', 'Carol'])).toBe('Several people are typing…');
  });
});
