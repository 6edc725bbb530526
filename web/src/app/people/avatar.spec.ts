import { WHITE, contrastRatio, hslToRgb, parseColor } from '../ui/contrast';
import { avatarColor, hueColor, initials } from './avatar';

const AVATAR_PALETTE = Array.from({ length: 360 }, (_, hue) => hueColor(hue));

describe('avatars', () => {
  it('derive a stable colour from the username, whatever its case', () => {
    expect(avatarColor('alice')).toBe(avatarColor('Alice'));
    expect(avatarColor('alice')).not.toBe(avatarColor('bob'));
    expect(AVATAR_PALETTE).toContain(avatarColor('alice'));
  });

  it('give white initials at least 4.5:1 on every colour of the palette, one per hue', () => {
    const failing = AVATAR_PALETTE.filter((color) => contrastRatio(parseColor(color), WHITE) < 4.5);
    expect(failing).toEqual([]);
  });

  it('keep the hues light where white reads on them, and darken only the bright ones', () => {
    // Blue at 36 % gave white 7.6:1 already; yellow had 3.3:1.
    expect(parseColor(AVATAR_PALETTE[230]!)).toEqual(hslToRgb(230, 0.6, 0.36));
    expect(contrastRatio(hslToRgb(60, 0.6, 0.36), WHITE)).toBeLessThan(4.5);
    expect(parseColor(AVATAR_PALETTE[60]!)).not.toEqual(hslToRgb(60, 0.6, 0.36));
  });

  it('show the initials of first and last name', () => {
    expect(initials('ada', 'Lovelace')).toBe('AL');
    expect(initials('Émile', 'Zola')).toBe('ÉZ');
    expect(initials(' ', ' ')).toBe('?');
  });
});
