import { WHITE, contrastRatio, hslToRgb, parseColor, relativeLuminance, toHex } from './contrast';

describe('contrast', () => {
  it('measures WCAG 2 contrast ratios from relative luminance', () => {
    expect(relativeLuminance(WHITE)).toBe(1);
    expect(relativeLuminance({ r: 0, g: 0, b: 0 })).toBe(0);
    expect(contrastRatio({ r: 0, g: 0, b: 0 }, WHITE)).toBe(21);
    // #767676 is the lightest grey that passes 4.5:1 on white; #777777 just fails.
    expect(contrastRatio(parseColor('#767676'), WHITE)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(parseColor('#777777'), WHITE)).toBeLessThan(4.5);
    // The order of the two colours does not matter.
    expect(contrastRatio(WHITE, parseColor('#3b5bdb'))).toBe(contrastRatio(parseColor('#3b5bdb'), WHITE));
  });

  it('converts HSL as CSS does, and reads the colours getComputedStyle gives', () => {
    expect(toHex(hslToRgb(0, 1, 0.5))).toBe('#ff0000');
    expect(toHex(hslToRgb(120, 1, 0.25))).toBe('#008000');
    expect(toHex(hslToRgb(230, 0.6, 0.36))).toBe('#253793');
    expect(parseColor('rgb(59, 91, 219)')).toEqual({ r: 59, g: 91, b: 219 });
    expect(parseColor('rgba(0, 0, 0, 0.5)')).toEqual({ r: 0, g: 0, b: 0 });
  });
});
