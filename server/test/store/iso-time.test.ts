import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/store/iso-time.js';

/** A pseudo-random sequence (mulberry32), the same every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('isoTime', () => {
  const builtIn = (ms: number) => new Date(ms).toISOString();

  it('writes what toISOString writes at the edges: the epoch, leap days, century years, the ends of years 0 and 9999', () => {
    const edges = [
      0, -1, 1, 86_399_999, 86_400_000,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(2100, 2, 1), Date.UTC(1900, 1, 28, 12), Date.UTC(2024, 11, 31, 23, 59, 59, 999),
      -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, -8.64e15,
    ];
    for (const ms of edges) expect(isoTime(ms), String(ms)).toBe(builtIn(ms));
  });

  it('writes what toISOString writes for 200,000 times spread over years 0 to 10,000 and for recent ones', () => {
    const next = random(7);
    const now = Date.UTC(2026, 11, 1);
    for (let i = 0; i < 100_000; i++) {
      const anyYear = Math.floor((next() * 2 - 1) * 2.6e14);
      const recent = now - Math.floor(next() * 3e11);
      if (isoTime(anyYear) !== builtIn(anyYear)) expect(isoTime(anyYear), String(anyYear)).toBe(builtIn(anyYear));
      if (isoTime(recent) !== builtIn(recent)) expect(isoTime(recent), String(recent)).toBe(builtIn(recent));
    }
  });
});
