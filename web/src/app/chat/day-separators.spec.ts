import { dayLabel, sameDay, untilMidnight } from './day-separators';

// Local times: the labels follow the reader's clock, not UTC. 1 December 2026 is a Tuesday.
const now = new Date(2026, 11, 1, 10, 0);

describe('day separators', () => {
  it('calls the current day Today, from its first minute', () => {
    expect(dayLabel(new Date(2026, 11, 1, 0, 1), now)).toBe('Today');
    expect(dayLabel(new Date(2026, 11, 1, 9, 59), now)).toBe('Today');
  });

  it('calls the day before Yesterday, up to its last minute, across a year’s end too', () => {
    expect(dayLabel(new Date(2026, 10, 30, 23, 59), now)).toBe('Yesterday');
    expect(dayLabel(new Date(2026, 11, 31, 22, 0), new Date(2027, 0, 1, 0, 30))).toBe('Yesterday');
  });

  it('names the weekday within the last week', () => {
    expect(dayLabel(new Date(2026, 10, 29, 12, 0), now)).toBe('Sunday');
    expect(dayLabel(new Date(2026, 10, 25, 8, 0), now)).toBe('Wednesday');
  });

  it('gives the date from a week ago, with the year only when it is not this year', () => {
    expect(dayLabel(new Date(2026, 10, 24, 12, 0), now)).toBe('Tue, 24 Nov');
    expect(dayLabel(new Date(2026, 0, 5, 12, 0), now)).toBe('Mon, 5 Jan');
    expect(dayLabel(new Date(2025, 10, 3, 12, 0), now)).toBe('Mon, 3 Nov 2025');
  });

  it('tells whether two moments share a local day', () => {
    expect(sameDay(new Date(2026, 11, 1, 0, 0), new Date(2026, 11, 1, 23, 59))).toBe(true);
    expect(sameDay(new Date(2026, 11, 1, 23, 59), new Date(2026, 11, 2, 0, 0))).toBe(false);
    expect(sameDay(new Date(2026, 11, 1), new Date(2025, 11, 1))).toBe(false);
  });

  it('counts the time left until the labels change at midnight', () => {
    expect(untilMidnight(new Date(2026, 11, 1, 23, 59, 30))).toBe(30_000);
    expect(untilMidnight(new Date(2026, 11, 1, 0, 0))).toBe(24 * 60 * 60 * 1000);
  });
});
