/** What the order needs of a message: its room, and its place in the room. */
export interface Sequenced {
  roomId: number;
  seq: number;
}

export interface RoomOrderOptions {
  /**
   * How long a message waits for the ones before it, ms. Past it, what waits is delivered and the missing seqs
   * are given up on: their node may have stopped between its commit and its publish, and a client that sees the
   * gap asks `sync` for it. Long enough for a busy node's publish to come through Redis.
   */
  gapWaitMs?: number;
  /**
   * How long a room's first message here (after this node started, or forgot the room) waits for those before it
   * that may still be on their way, ms. Nothing before it is known here, so it cannot tell a message in flight from
   * one delivered long ago; this short wait orders what is in flight, at the price of this delay once per room.
   * Redis carries a message between nodes in about a millisecond here; at 100 ms, the wait alone put the p99 of
   * the two-node bench over 100 ms (a step's rooms are many, so their first messages were over 1% of it).
   */
  firstWaitMs?: number;
  /** A room not heard of for this long is forgotten (a memory bound); its next message starts it again. */
  idleMs?: number;
}

interface RoomState<M extends Sequenced> {
  /** The seq delivered next without waiting; null while the room's first messages wait (`firstWaitMs`). */
  next: number | null;
  /** Messages ahead of `next`, by seq. */
  held: Map<number, M> | null;
  timer: NodeJS.Timeout | null;
  lastHeardAt: number;
}

/**
 * Delivers each room's messages to this node's sockets in the order of their seq, whichever node stored them.
 *
 * Why: with several nodes, each publishes a message once its own commit returns: to its own sockets at once,
 * to the others through Redis. A room's seqs are given in commit order, but node B's seq n+1 can reach B's
 * sockets before node A's seq n has come through Redis (the bench's two-node run saw 6% of deliveries so).
 * So each node passes every message, its own and the others', through this: a message whose predecessor has
 * not been delivered here waits for it, up to `gapWaitMs`.
 *
 * A room's first message on this node (or after it was forgotten) waits `firstWaitMs` for any before it still in
 * flight, then the earliest that came sets where the room starts (seq 1 needs no wait). A message older than what
 * was delivered (one that came after its gap was given up on) is delivered at once: late, but not lost.
 */
export class RoomOrder<M extends Sequenced> {
  private readonly rooms = new Map<number, RoomState<M>>();
  private readonly gapWaitMs: number;
  private readonly firstWaitMs: number;
  private readonly idleMs: number;
  /** When idle rooms were last forgotten: on the way through `accept`, so that nothing needs stopping. */
  private sweptAt = Date.now();

  constructor(
    private readonly deliver: (message: M) => void,
    options: RoomOrderOptions = {},
  ) {
    this.gapWaitMs = options.gapWaitMs ?? 1000;
    this.firstWaitMs = options.firstWaitMs ?? 20;
    this.idleMs = options.idleMs ?? 10 * 60_000;
  }

  accept(message: M): void {
    const now = Date.now();
    if (now - this.sweptAt > this.idleMs) this.forgetIdle(now);
    const room = this.rooms.get(message.roomId);
    if (!room) {
      if (message.seq === 1) {
        this.rooms.set(message.roomId, { next: 2, held: null, timer: null, lastHeardAt: now });
        this.deliver(message);
        return;
      }
      const waiting: RoomState<M> = { next: null, held: new Map([[message.seq, message]]), timer: null, lastHeardAt: now };
      waiting.timer = setTimeout(() => this.start(waiting), this.firstWaitMs).unref();
      this.rooms.set(message.roomId, waiting);
      return;
    }
    room.lastHeardAt = now;
    if (room.next === null) {
      room.held!.set(message.seq, message);
      return;
    }
    if (message.seq < room.next) {
      this.deliver(message);
      return;
    }
    if (message.seq > room.next) {
      (room.held ??= new Map()).set(message.seq, message);
      room.timer ??= setTimeout(() => this.giveUpGap(room), this.gapWaitMs).unref();
      return;
    }
    this.deliver(message);
    room.next += 1;
    this.releaseHeld(room);
  }

  /** The first wait is over: the room starts at the earliest message that came. */
  private start(room: RoomState<M>): void {
    room.timer = null;
    room.next = Math.min(...room.held!.keys());
    this.releaseHeld(room);
    if (room.held) room.timer = setTimeout(() => this.giveUpGap(room), this.gapWaitMs).unref();
  }

  /** Delivers the held messages that now follow on. */
  private releaseHeld(room: RoomState<M>): void {
    if (!room.held || room.next === null) return;
    let next: M | undefined;
    while ((next = room.held.get(room.next)) !== undefined) {
      room.held.delete(room.next);
      this.deliver(next);
      room.next += 1;
    }
    if (room.held.size === 0) {
      room.held = null;
      if (room.timer) clearTimeout(room.timer);
      room.timer = null;
    }
  }

  /** The wait is over: what is held goes out in order, past the seqs that never came. */
  private giveUpGap(room: RoomState<M>): void {
    room.timer = null;
    if (!room.held) return;
    const seqs = [...room.held.keys()].sort((a, b) => a - b);
    for (const seq of seqs) this.deliver(room.held.get(seq)!);
    room.next = seqs.at(-1)! + 1;
    room.held = null;
  }

  private forgetIdle(now: number): void {
    this.sweptAt = now;
    const before = now - this.idleMs;
    for (const [roomId, room] of this.rooms) if (room.held === null && room.lastHeardAt < before) this.rooms.delete(roomId);
  }
}
