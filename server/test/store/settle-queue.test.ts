import { describe, expect, it } from 'vitest';
import { SettleQueue } from '../../src/store/settle-queue.js';

describe('SettleQueue', () => {
  it('runs a slice at once, the rest after the loop has polled, and later batches behind earlier ones, in order', async () => {
    const queue = new SettleQueue(4);
    const ran: string[] = [];
    const batch = (name: string, n: number) => Array.from({ length: n }, (_, i) => () => void ran.push(`${name}${i}`));

    queue.push(batch('a', 10));
    expect(ran, 'the first slice runs at once').toEqual(['a0', 'a1', 'a2', 'a3']);

    // A second batch answered while the first is still being handed out waits for it.
    queue.push(batch('b', 2));
    expect(ran).toHaveLength(4);

    // The loop gets its turn between slices: work queued now (as an I/O callback would be) runs before the last.
    const between = new Promise<number>((resolve) => setImmediate(() => resolve(ran.length)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await between).toBe(8);
    expect(ran).toEqual([...'0123456789'].map((i) => `a${i}`).concat(['b0', 'b1']));

    // Once drained, a new batch starts at once again.
    queue.push(batch('c', 1));
    expect(ran.at(-1)).toBe('c0');
  });
});
