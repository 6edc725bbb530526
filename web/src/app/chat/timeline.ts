import type { Message } from '@parley/protocol';
import { dayLabel, sameDay } from './day-separators';

/** A message as a chat box shows it, with what goes around it. */
export interface TimelineEntry {
  message: Message;
  mine: boolean;
  /** The day separator above it, when it is the first message shown of its day. */
  day: string | null;
  /** The "New messages" divider goes above it: the first unread message from someone else. */
  firstUnread: boolean;
  /** "Seen" goes under it: my newest message the other person of a direct chat has read. */
  seen: boolean;
  /** It opens a run of messages from one author: the author's name and avatar go with it. */
  groupStart: boolean;
  /** It closes such a run: its time is shown; the others' only on hover or focus. */
  groupEnd: boolean;
}

/** Messages of one author further apart than this start a new run, as a pause in a conversation does. */
export const GROUP_GAP_MS = 5 * 60_000;

export interface TimelineContext {
  me: number | undefined;
  /** Messages after this seq, from others, are new (null: no divider). */
  unreadAfter: number | null;
  /** The other person's read marker in a direct chat; null in a group. */
  peerLastReadSeq: number | null;
  now: Date;
}

/** Lays out a chat's messages (in seq order) with day separators, the "New messages" divider and "Seen". */
export function timeline(messages: readonly Message[], context: TimelineContext): TimelineEntry[] {
  const { me, unreadAfter, peerLastReadSeq, now } = context;
  const firstUnread =
    unreadAfter === null ? undefined : messages.find((message) => message.seq > unreadAfter && message.authorId !== me);
  const seen = peerLastReadSeq === null ? undefined : seenMessage(messages, me, peerLastReadSeq);
  let previous: Message | null = null;
  const entries = messages.map((message): TimelineEntry => {
    const day = new Date(message.createdAt);
    const startsDay = previous === null || !sameDay(new Date(previous.createdAt), day);
    const entry = {
      message,
      mine: message.authorId === me,
      day: startsDay ? dayLabel(day, now) : null,
      firstUnread: message === firstUnread,
      seen: message === seen,
      groupStart: startsDay || message === firstUnread || !continues(previous!, message),
      groupEnd: true,
    };
    previous = message;
    return entry;
  });
  // A run ends where the next one starts, and at "Seen", which sits between two messages.
  for (let index = 0; index < entries.length - 1; index += 1) {
    entries[index]!.groupEnd = entries[index + 1]!.groupStart || entries[index]!.seen;
  }
  return entries;
}

/** Whether `message` goes on the run of `previous`: the same author, soon after, neither of them a notice. */
function continues(previous: Message, message: Message): boolean {
  return (
    previous.kind === 'text' &&
    message.kind === 'text' &&
    previous.authorId === message.authorId &&
    Date.parse(message.createdAt) - Date.parse(previous.createdAt) <= GROUP_GAP_MS
  );
}

/**
 * Where "Seen" goes, as in Messenger: under my newest message the peer has read, unless the peer wrote
 * after it (their reply says they saw it).
 */
function seenMessage(messages: readonly Message[], me: number | undefined, peerLastReadSeq: number): Message | undefined {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.authorId !== me) return undefined;
    if (message.seq <= peerLastReadSeq) return message;
  }
  return undefined;
}

/** Whether any message after `seq` was written by someone else. */
export function hasUnreadFromOthers(messages: readonly Message[], seq: number, me: number | undefined): boolean {
  return messages.some((message) => message.seq > seq && message.authorId !== me);
}
