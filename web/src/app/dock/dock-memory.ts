/** Which boxes are open on this device, kept in localStorage per user, so a reload or a new log-in finds them again. */
export interface DockMemory {
  /** Oldest first, as the dock orders them. */
  open: number[];
  collapsed: number[];
  /** Chats I closed: they stay closed when their messages arrive. */
  closed: number[];
}

/** Enough closed chats to remember; the oldest are forgotten first. */
export const CLOSED_REMEMBERED = 200;

const key = (userId: number) => `parley.dock.${userId}`;

export function recallDock(userId: number): DockMemory {
  const empty: DockMemory = { open: [], collapsed: [], closed: [] };
  try {
    const saved: unknown = JSON.parse(localStorage.getItem(key(userId)) ?? 'null');
    if (typeof saved !== 'object' || saved === null) return empty;
    const ids = (value: unknown) => (Array.isArray(value) ? value.filter((id): id is number => Number.isInteger(id) && id > 0) : []);
    const record = saved as Record<string, unknown>;
    return { open: ids(record['open']), collapsed: ids(record['collapsed']), closed: ids(record['closed']) };
  } catch {
    // Storage refused (private mode) or the entry was damaged: start with nothing open.
    return empty;
  }
}

export function rememberDock(userId: number, memory: DockMemory): void {
  try {
    localStorage.setItem(key(userId), JSON.stringify({ ...memory, closed: memory.closed.slice(-CLOSED_REMEMBERED) }));
  } catch {
    // A full or refused storage only costs the boxes after a reload.
  }
}
