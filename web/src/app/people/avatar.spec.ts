import { avatarColor, initials } from './avatar';

describe('avatars', () => {
  it('derive a stable colour from the username, whatever its case', () => {
    expect(avatarColor('alice')).toBe(avatarColor('Alice'));
    expect(avatarColor('alice')).not.toBe(avatarColor('bob'));
    expect(avatarColor('alice')).toMatch(/^hsl\(\d+ 60% 36%\)$/);
  });

  it('show the initials of first and last name', () => {
    expect(initials('ada', 'Lovelace')).toBe('AL');
    expect(initials('Émile', 'Zola')).toBe('ÉZ');
    expect(initials(' ', ' ')).toBe('?');
  });
});
