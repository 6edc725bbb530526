import { Injectable, computed, inject, signal } from '@angular/core';
import { SessionStore } from '../core/session.store';
import { recallDock, rememberDock, type DockMemory } from './dock-memory';
import { arrival, type Arrival } from './pop-up';

/**
 * Open boxes kept beyond those on screen: the oldest of more are dropped (not closed: a message may pop them
 * up again), so that the "+N" list, and what is remembered and restored, stays short.
 */
export const HIDDEN_KEPT = 10;

/**
 * How many boxes fit on screen, whether an open box covers the page (a phone) rather than docking beside it,
 * and whether the screen is wide enough for a stage: the chat I chose, large beside the sidebar, with the boxes
 * that pop up beside it.
 */
export interface DockLayout {
  capacity: number;
  overlay: boolean;
  stage?: boolean;
}

/**
 * The chat boxes open on this device: which, in what order, which are collapsed, which I closed, and what
 * a message arriving may do to them (see `arrival`). Open boxes that do not fit wait in the "+N" list
 * rather than being closed. Kept per user in localStorage once restored.
 *
 * On a wide screen the chat I open goes on the stage, large in the middle, as in Messenger's web app; chats
 * that write meanwhile still pop up as boxes beside it, and opening one of them puts it on the stage instead.
 */
@Injectable({ providedIn: 'root' })
export class DockStore {
  private readonly session = inject(SessionStore);
  /** Oldest first; the last `capacity` are on screen. */
  private readonly openIds = signal<readonly number[]>([]);
  private readonly collapsedIds = signal<ReadonlySet<number>>(new Set());
  private readonly closedIds = signal<readonly number[]>([]);
  private readonly layoutState = signal<Required<DockLayout>>({ capacity: 3, overlay: false, stage: false });
  /** The chat on the stage (wide screens only); it is not among the boxes. */
  private readonly stagedId = signal<number | null>(null);
  private readonly focusTarget = signal<{ roomId: number; opening: boolean } | null>(null);
  private readonly bannerRoom = signal<number | null>(null);
  /**
   * Whose boxes are remembered: nobody's until the saved ones are restored, so that what happens before
   * (or the reset at log-out) never overwrites them.
   */
  private owner: number | null = null;

  readonly layout = this.layoutState.asReadonly();
  readonly staged = this.stagedId.asReadonly();
  readonly collapsed = this.collapsedIds.asReadonly();
  /** The room whose composer should take the focus: one the person opened, never one that popped up. */
  readonly focusRequest = computed(() => this.focusTarget()?.roomId ?? null);
  /** Whether the focus is asked for by opening the box: what has the keyboard then is what opened it. */
  readonly focusOnOpening = computed(() => this.focusTarget()?.opening ?? false);
  /** A chat that wrote while a box could not open (see `arrival`): the banner offers it. */
  readonly banner = this.bannerRoom.asReadonly();

  /** The rooms whose boxes are on screen, left to right. */
  readonly shown = computed(() => this.openIds().slice(-this.layoutState().capacity));
  /** Every chat on screen: the stage's, then the boxes'. */
  readonly onScreen = computed(() => {
    const staged = this.stagedId();
    return staged === null ? this.shown() : [staged, ...this.shown()];
  });
  /** Open boxes with no space on screen, most recent first: the "+N" list. */
  readonly hidden = computed(() => {
    const ids = this.openIds();
    return ids.slice(0, Math.max(0, ids.length - this.layoutState().capacity)).reverse();
  });

  setLayout(layout: DockLayout): void {
    const next = { capacity: Math.max(1, layout.capacity), overlay: layout.overlay, stage: layout.stage ?? false };
    const current = this.layoutState();
    if (current.capacity === next.capacity && current.overlay === next.overlay && current.stage === next.stage) return;
    this.layoutState.set(next);
    const staged = this.stagedId();
    // Narrowed below a stage: its chat becomes the newest box rather than vanish.
    if (!next.stage && staged !== null) {
      this.stagedId.set(null);
      this.setOpen([...this.openIds(), staged]);
    }
    if (!current.stage) this.fillStage();
  }

  /** Whether changes are remembered: the saved boxes were restored since log-in. */
  remembering(): boolean {
    return this.owner !== null;
  }

  /**
   * The person opens a chat: on a wide screen it takes the stage; otherwise its box comes on screen at the right
   * end, expanded, and the leftmost may move to "+N".
   */
  open(roomId: number, { focus = false } = {}): void {
    const others = this.openIds().filter((id) => id !== roomId);
    if (this.layoutState().stage) {
      this.openIds.set(others);
      this.stagedId.set(roomId);
    } else {
      this.setOpen([...others, roomId]);
    }
    this.collapsedIds.update((ids) => without(ids, roomId));
    this.closedIds.update((ids) => ids.filter((id) => id !== roomId));
    if (this.bannerRoom() === roomId) this.bannerRoom.set(null);
    if (focus) this.focusTarget.set({ roomId, opening: true });
    this.save();
  }

  /** The keyboard goes to a box on screen, as it is (the skip link). */
  requestFocus(roomId: number): void {
    this.focusTarget.set({ roomId, opening: false });
  }

  focusHandled(): void {
    this.focusTarget.set(null);
  }

  /** The person closes a box: it stays closed when its messages arrive, until they open it again. */
  close(roomId: number): void {
    if (this.stagedId() === roomId) this.stagedId.set(null);
    this.openIds.update((ids) => ids.filter((id) => id !== roomId));
    this.collapsedIds.update((ids) => without(ids, roomId));
    this.closedIds.update((ids) => [...ids.filter((id) => id !== roomId), roomId]);
    this.save();
  }

  toggleCollapsed(roomId: number): void {
    this.collapsedIds.update((ids) => (ids.has(roomId) ? without(ids, roomId) : new Set(ids).add(roomId)));
    this.save();
  }

  /** A message from someone else arrived in a chat: opens its box, lists it under "+N", or offers it in the banner. */
  arrive(roomId: number, { mine, muted }: { mine: boolean; muted: boolean }): Arrival {
    const ids = this.openIds();
    const { capacity, overlay } = this.layoutState();
    const what = arrival({
      mine,
      muted,
      open: ids.includes(roomId) || this.stagedId() === roomId,
      closedByMe: this.closedIds().includes(roomId),
      overlay,
      typing: fieldHasFocus(),
      openCount: ids.length,
      capacity,
    });
    if (what === 'open') this.setOpen([...ids, roomId]);
    // Not pushing a box off screen: it waits at the head of "+N", first to come on screen when one closes.
    if (what === 'overflow') this.setOpen([...ids.slice(0, ids.length - capacity), roomId, ...ids.slice(ids.length - capacity)]);
    if (what === 'banner') this.bannerRoom.set(roomId);
    if (what === 'open' || what === 'overflow') this.save();
    return what;
  }

  dismissBanner(): void {
    this.bannerRoom.set(null);
  }

  /** What was open on this device when this user last used it. */
  recall(): DockMemory {
    const me = this.session.user()?.id;
    return me === undefined ? { open: [], collapsed: [], closed: [] } : recallDock(me);
  }

  /**
   * Puts back the boxes recalled (already checked to be mine), before any that popped up meanwhile, and
   * from now on remembers every change for this user.
   */
  restore(memory: DockMemory): void {
    const open = memory.open.filter((id) => !this.openIds().includes(id));
    this.setOpen([...open, ...this.openIds()]);
    this.collapsedIds.update((ids) => new Set([...ids, ...memory.collapsed.filter((id) => open.includes(id))]));
    this.closedIds.update((ids) => [...memory.closed.filter((id) => !ids.includes(id)), ...ids]);
    this.owner = this.session.user()?.id ?? null;
    this.fillStage();
    this.save();
  }

  /** A room I am no longer in: its box goes, and it is forgotten. */
  forget(roomId: number): void {
    if (this.stagedId() === roomId) this.stagedId.set(null);
    this.openIds.update((ids) => ids.filter((id) => id !== roomId));
    this.collapsedIds.update((ids) => without(ids, roomId));
    this.closedIds.update((ids) => ids.filter((id) => id !== roomId));
    if (this.bannerRoom() === roomId) this.bannerRoom.set(null);
    this.save();
  }

  /** Log-out: the screen empties, and what this device remembers for the user stays for their next log-in. */
  reset(): void {
    this.owner = null;
    this.stagedId.set(null);
    this.openIds.set([]);
    this.collapsedIds.set(new Set());
    this.closedIds.set([]);
    this.focusTarget.set(null);
    this.bannerRoom.set(null);
  }

  /**
   * A wide screen with nothing on its stage puts the chat opened last there: after a reload (the stage is
   * remembered as the newest open chat) or when the window widens.
   */
  private fillStage(): void {
    if (!this.layoutState().stage || this.stagedId() !== null) return;
    const ids = this.openIds();
    const newest = ids.at(-1);
    if (newest === undefined) return;
    this.openIds.set(ids.slice(0, -1));
    this.collapsedIds.update((collapsed) => without(collapsed, newest));
    this.stagedId.set(newest);
  }

  private setOpen(ids: readonly number[]): void {
    this.openIds.set(ids.slice(-(this.layoutState().capacity + HIDDEN_KEPT)));
  }

  private save(): void {
    if (this.owner === null) return;
    const staged = this.stagedId();
    // The stage is remembered as the newest open chat, so a narrower screen reopens it as a box.
    const open = staged === null ? this.openIds() : [...this.openIds(), staged];
    rememberDock(this.owner, { open: [...open], collapsed: [...this.collapsedIds()].filter((id) => open.includes(id)), closed: [...this.closedIds()] });
  }
}

function without(ids: ReadonlySet<number>, roomId: number): ReadonlySet<number> {
  if (!ids.has(roomId)) return ids;
  const next = new Set(ids);
  next.delete(roomId);
  return next;
}

/** Whether the person is typing in a field: what has the focus takes text. */
function fieldHasFocus(): boolean {
  const element = document.activeElement;
  if (!(element instanceof HTMLElement)) return false;
  if (element.isContentEditable || element instanceof HTMLTextAreaElement) return true;
  return element instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(element.type);
}
