import { LIMITS, type RoomCatchUp } from '@parley/protocol';
import { jsonBytes } from '../json-bytes.js';

/** The JSON of a `sync` answer with nothing in it (`{"ok":true,"rooms":[],"joined":[],"left":[]}`), with room to spare. */
const ANSWER_ENVELOPE_BYTES = 96;
/** The JSON of one room's catch-up entry without its messages, at its largest, with the comma after it. */
export const ROOM_ENTRY_BYTES =
  jsonBytes({
    roomId: Number.MAX_SAFE_INTEGER,
    messages: [],
    changed: [],
    changeSeq: Number.MAX_SAFE_INTEGER,
    complete: false,
  } satisfies RoomCatchUp) + 1;
/** One id of `left`, at its largest, with the comma after it. */
const LEFT_ID_BYTES = jsonBytes(Number.MAX_SAFE_INTEGER) + 1;

/**
 * What is left of one `sync` answer: messages (`LIMITS.syncMessagesMax`) and bytes of JSON
 * (`LIMITS.syncBytesMax`). What the answer must carry whatever happens (an entry per room named and kept,
 * an id per room named and not) is reserved up front; the rest is taken item by item.
 *
 * The answer's first item (a message, or a room of `joined`) goes whatever its size, so that every answer
 * that leaves something out carries something: a client that asks again gets further each time. That item
 * (at most a 4000-character body, escaped) and the reservations (at most `LIMITS.syncRoomsMax` rooms) are
 * far below the byte limit, so the answer stays within it.
 */
export class SyncBudget {
  private bytesLeft: number;
  private messagesLeft: number = LIMITS.syncMessagesMax;
  private carried = false;

  constructor(entries: number, leftIds: number) {
    this.bytesLeft = LIMITS.syncBytesMax - ANSWER_ENVELOPE_BYTES - entries * ROOM_ENTRY_BYTES - leftIds * LEFT_ID_BYTES;
  }

  /** Messages one more room may still get, at most. */
  get messages(): number {
    return this.bytesLeft > 0 || !this.carried ? this.messagesLeft : 0;
  }

  /** Takes `bytes` (and `messages`) for one item if they fit, or if the answer carries nothing yet; false otherwise. */
  take(bytes: number, messages: 0 | 1): boolean {
    if (messages > this.messagesLeft) return false;
    if (bytes > this.bytesLeft && this.carried) return false;
    this.bytesLeft -= bytes;
    this.messagesLeft -= messages;
    this.carried = true;
    return true;
  }
}
