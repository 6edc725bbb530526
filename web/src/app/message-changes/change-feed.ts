import { Injectable } from '@angular/core';

/**
 * Per room whose messages are held here, the room's change counter (`changeSeq`) up to which every change is in
 * hand, for `sync` to ask for those after it. It starts from the room as it was read before its messages, moves with
 * each `message:updated` that comes next in line, and takes what each `sync` answer says. A change that came out of
 * line leaves it where it was: if one before it was missed, the next `sync` brings it.
 */
@Injectable({ providedIn: 'root' })
export class ChangeFeed {
  private readonly held = new Map<number, number>();

  /** Where a room's messages were loaded from; a room already followed keeps its own count. */
  start(roomId: number, changeSeq: number): void {
    if (!this.held.has(roomId)) this.held.set(roomId, changeSeq);
  }

  /** The count held for a room, or undefined when its messages are not held. */
  of(roomId: number): number | undefined {
    return this.held.get(roomId);
  }

  /** A live change: it moves the count only when it is the next one. */
  live(roomId: number, changeSeq: number): void {
    if (this.held.get(roomId) === changeSeq - 1) this.held.set(roomId, changeSeq);
  }

  /** What a `sync` answer said is now held. */
  synced(roomId: number, changeSeq: number): void {
    if (this.held.has(roomId)) this.held.set(roomId, changeSeq);
  }

  forget(roomId: number): void {
    this.held.delete(roomId);
  }

  reset(): void {
    this.held.clear();
  }
}
