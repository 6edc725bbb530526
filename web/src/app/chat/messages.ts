import { LIMITS, type Message, type MessageUpdated, type PublicUser } from '@parley/protocol';

/**
 * Merges messages into a list kept in seq order, each seq once: arrivals may overlap, repeat or come late. Of two
 * copies of one message, the one with the higher `changeSeq` (the later edit, deletion or reaction) stays, so that a
 * page of history read before a change and answered after it does not undo it.
 */
export function mergeBySeq(existing: readonly Message[], incoming: readonly Message[]): Message[] {
  if (incoming.length === 0) return existing as Message[];
  const last = existing.at(-1);
  // The common case, a new message after the newest, needs no sort.
  if (incoming.length === 1 && (!last || incoming[0]!.seq > last.seq)) return [...existing, incoming[0]!];
  const bySeq = new Map<number, Message>();
  for (const message of existing) bySeq.set(message.seq, message);
  for (const message of incoming) {
    const held = bySeq.get(message.seq);
    // The same version again (a page read twice, a retry's answer) leaves the copy held, which may know more.
    if (!held || message.changeSeq > held.changeSeq) bySeq.set(message.seq, message);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Messages held, with the newer copies of `changed` in place of theirs, and the quotes of replies to them brought up to
 * date. A changed message that is not held is left out: holding it alone would leave a hole in the history before it.
 */
export function applyChanges(existing: readonly Message[], changed: readonly Message[]): Message[] {
  let messages = existing as Message[];
  for (const message of changed) {
    const i = messages.findIndex((m) => m.id === message.id);
    if (i >= 0 && message.changeSeq > messages[i]!.changeSeq) {
      messages = messages === existing ? [...existing] : messages;
      messages[i] = message;
    }
    messages = requote(messages, message);
  }
  return messages;
}

/** The replies to `original` among `messages` quote it as it now is (a reply does not change when its original does). */
export function requote(messages: readonly Message[], original: Message): Message[] {
  if (!messages.some((m) => m.replyTo?.id === original.id)) return messages as Message[];
  const deleted = original.deletedAt !== null;
  const excerpt = deleted ? '' : [...original.body].slice(0, LIMITS.quoteChars).join('');
  return messages.map((m) => (m.replyTo?.id === original.id ? { ...m, replyTo: { ...m.replyTo, excerpt, deleted } } : m));
}

/**
 * A message as a `message:updated` leaves it: the event's copy when it is newer than the one held, with each
 * reaction's `me` kept from the copy held (the event cannot know it: see `MessageUpdated`), or taken from the event's
 * `reaction` when that was mine, on another device.
 */
export function applyUpdate(held: Message, { message, reaction }: MessageUpdated, myId: number | undefined): Message {
  if (message.changeSeq <= held.changeSeq) return held;
  const mine = new Set(held.reactions.filter((r) => r.me).map((r) => r.emoji));
  if (reaction && reaction.userId === myId) {
    if (reaction.on) mine.add(reaction.emoji);
    else mine.delete(reaction.emoji);
  }
  return { ...message, reactions: message.reactions.map((r) => ({ ...r, me: mine.has(r.emoji) })) };
}

/**
 * The messages with `user` as their author's name now: the same list when none is theirs. A notice's `user` keeps the
 * name it had then, as the server stores it.
 */
export function renameAuthor(messages: readonly Message[], user: PublicUser): Message[] {
  if (!messages.some((message) => message.authorId === user.id)) return messages as Message[];
  return messages.map((message) => (message.authorId === user.id ? { ...message, author: user } : message));
}

/** A fresh id for a message being sent; retries reuse it so the server stores the message once. */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // randomUUID needs a secure context; plain http on a LAN address is not one, but getRandomValues works there.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
