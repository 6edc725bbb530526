import { arrival, type ArrivalContext } from './pop-up';

const quiet: ArrivalContext = { mine: false, muted: false, open: false, closedByMe: false, overlay: false, typing: false, openCount: 0, capacity: 2 };

describe('what a message arriving does on screen', () => {
  it('opens its box when there is space', () => {
    expect(arrival(quiet)).toBe('open');
    expect(arrival({ ...quiet, openCount: 1, typing: true })).toBe('open');
  });

  it('lists it under "+N" when the dock is full', () => {
    expect(arrival({ ...quiet, openCount: 2 })).toBe('overflow');
  });

  it('moves nothing for my own message, an open chat, a muted chat, or one I closed', () => {
    for (const change of [{ mine: true }, { open: true }, { muted: true }, { closedByMe: true }]) {
      expect(arrival({ ...quiet, ...change })).toBe('badge');
    }
    expect(arrival({ ...quiet, overlay: true, typing: true, muted: true })).toBe('badge');
  });

  it('on a phone, offers a banner while I type or read another chat, and opens it otherwise', () => {
    const phone = { ...quiet, overlay: true, capacity: 1 };
    expect(arrival({ ...phone, typing: true })).toBe('banner');
    expect(arrival({ ...phone, openCount: 1 })).toBe('banner');
    expect(arrival(phone)).toBe('open');
  });
});
