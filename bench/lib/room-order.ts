/**
 * The order check of `--two-nodes`: every member's socket must see each room's `message:new` in strictly rising
 * `seq`, each seq once, with none missing. A socket learns where each of its rooms stood when it connected (the
 * rooms' `last_seq`), so the very first delivery is checked too; at the end, the rooms' final `last_seq` says
 * which seqs never arrived at all.
 *
 * Only runs that ask for it pay for it (the load worker checks nothing otherwise): the light generator then
 * reads `"roomId":N` and `"seq":N` from each frame's bytes (see `readRoomSeq` in raw-socket.ts).
 */

/** What the check counted, over every socket of a load process. */
export interface OrderCounts {
  /** Deliveries checked: every `message:new` of a checked socket. */
  checked: number;
  /** Deliveries that came after a higher seq of the same room had already come. */
  outOfOrder: number;
  /** Deliveries of a seq the socket had already received. */
  duplicates: number;
  /** Frames whose room or seq could not be read (0 unless the frame's shape changed). */
  unreadable: number;
}

export const noOrderCounts = (): OrderCounts => ({ checked: 0, outOfOrder: 0, duplicates: 0, unreadable: 0 });

/** `a + b`, or `a - b` with `sign` -1 (what a step added to the counts). */
export function combineOrderCounts(a: OrderCounts, b: OrderCounts, sign: 1 | -1 = 1): OrderCounts {
  return {
    checked: a.checked + sign * b.checked,
    outOfOrder: a.outOfOrder + sign * b.outOfOrder,
    duplicates: a.duplicates + sign * b.duplicates,
    unreadable: a.unreadable + sign * b.unreadable,
  };
}

/** One room as one socket sees it: the highest seq received, and the seqs below it not received yet. */
interface RoomView {
  high: number;
  missing: Set<number> | null;
}

/** One socket's rooms. */
export class RoomOrder {
  private readonly rooms = new Map<number, RoomView>();

  /** `from`: each room's `last_seq` when the socket connected; the next delivery of a room must be the one after. */
  constructor(
    from: Iterable<[roomId: number, lastSeq: number]>,
    private readonly counts: OrderCounts,
  ) {
    for (const [roomId, lastSeq] of from) this.rooms.set(roomId, { high: lastSeq, missing: null });
  }

  see(roomId: number, seq: number): void {
    const c = this.counts;
    c.checked++;
    let view = this.rooms.get(roomId);
    // A room the socket was not told of (it joined one later): its first delivery sets where it stands.
    if (!view) this.rooms.set(roomId, (view = { high: seq - 1, missing: null }));
    if (seq > view.high) {
      if (seq > view.high + 1) {
        view.missing ??= new Set();
        for (let s = view.high + 1; s < seq; s++) view.missing.add(s);
      }
      view.high = seq;
    } else if (view.missing?.delete(seq)) c.outOfOrder++;
    else c.duplicates++;
  }

  /** Seqs up to each room's final `last_seq` that this socket never received. */
  missing(lastSeq: ReadonlyMap<number, number>): number {
    let n = 0;
    for (const [roomId, view] of this.rooms) n += (view.missing?.size ?? 0) + Math.max(0, (lastSeq.get(roomId) ?? view.high) - view.high);
    return n;
  }
}
