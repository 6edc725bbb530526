/**
 * What a message arriving in a chat does on screen:
 * - `open`: its box docks, without the focus;
 * - `overflow`: the dock is full, so the chat joins the "+N" list rather than pushing a box away;
 * - `banner`: a box would take over the screen (a phone) while the person types or reads another chat,
 *   so a small banner offers to open it instead;
 * - `badge`: nothing moves; the Chats list and the title show the unread count.
 */
export type Arrival = 'open' | 'overflow' | 'banner' | 'badge';

export interface ArrivalContext {
  /** I wrote it, on another device. */
  mine: boolean;
  muted: boolean;
  /** Its box is open already, on screen or in the "+N" list. */
  open: boolean;
  /** I closed its box: it does not come back by itself. */
  closedByMe: boolean;
  /** A box covers the page when it opens (a phone), rather than docking beside it. */
  overlay: boolean;
  /** A text field has the keyboard focus. */
  typing: boolean;
  /** How many boxes are open, and how many fit on screen. */
  openCount: number;
  capacity: number;
}

export function arrival(context: ArrivalContext): Arrival {
  if (context.mine || context.open || context.muted || context.closedByMe) return 'badge';
  if (context.overlay && (context.typing || context.openCount > 0)) return 'banner';
  return context.openCount >= context.capacity ? 'overflow' : 'open';
}
