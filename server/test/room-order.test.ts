import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomOrder } from '../src/realtime/room-order.js';

const m = (seq: number, roomId = 1) => ({ roomId, seq });

describe('RoomOrder', () => {
  let delivered: string[];
  let order: RoomOrder<{ roomId: number; seq: number }>;
  beforeEach(() => {
    vi.useFakeTimers();
    delivered = [];
    order = new RoomOrder((message) => delivered.push(`${message.roomId}:${message.seq}`), { gapWaitMs: 1000, firstWaitMs: 100 });
  });
  afterEach(() => vi.useRealTimers());

  it("delivers a room's seq 1 at once, and what follows on at once", () => {
    order.accept(m(1));
    order.accept(m(2));
    expect(delivered).toEqual(['1:1', '1:2']);
  });

  it('holds a message until the one before it comes, then delivers both in order', () => {
    order.accept(m(1));
    order.accept(m(3));
    order.accept(m(4));
    expect(delivered).toEqual(['1:1']);
    order.accept(m(2));
    expect(delivered).toEqual(['1:1', '1:2', '1:3', '1:4']);
    // Nothing waits any more: the gap's timer is gone.
    vi.advanceTimersByTime(2000);
    expect(delivered).toHaveLength(4);
  });

  it('gives up on a gap after gapWaitMs, and delivers what never came late rather than not at all', () => {
    order.accept(m(1));
    order.accept(m(3));
    vi.advanceTimersByTime(999);
    expect(delivered).toEqual(['1:1']);
    vi.advanceTimersByTime(1);
    expect(delivered).toEqual(['1:1', '1:3']);
    order.accept(m(4));
    order.accept(m(2));
    expect(delivered).toEqual(['1:1', '1:3', '1:4', '1:2']);
  });

  it("orders a room's first messages here that arrive within firstWaitMs, starting at the earliest", () => {
    order.accept(m(27));
    order.accept(m(25));
    order.accept(m(26));
    expect(delivered).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(delivered).toEqual(['1:25', '1:26', '1:27']);
    order.accept(m(28));
    expect(delivered.at(-1)).toBe('1:28');
  });

  it('keeps rooms apart', () => {
    order.accept(m(1, 1));
    order.accept(m(1, 2));
    order.accept(m(3, 1));
    order.accept(m(2, 2));
    expect(delivered).toEqual(['1:1', '2:1', '2:2']);
  });
});
