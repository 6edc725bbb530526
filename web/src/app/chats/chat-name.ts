import { formatDate } from '@angular/common';
import type { Message, Room } from '@parley/protocol';
import { noticeText } from '../chat/notice-text';
import { markdownReady } from '../markdown/markdown-parser';
import { plainText } from '../markdown/plain-text';

/** What a chat is called: the other person in a direct chat, the room's name in a group. */
export function chatName(room: Room): string {
  return room.peer ? `${room.peer.firstName} ${room.peer.lastName}` : (room.name ?? 'Room');
}

/** Each last message's text without its Markdown: the list asks for every row's at each check, and parsing costs. */
const previews = new WeakMap<Message, string>();

/** One line about the last message: "You: …" for mine, the author's first name before it in a group. */
export function chatPreview(room: Room, myId: number | undefined): string {
  const last = room.lastMessage;
  if (!last) return 'No messages yet';
  const notice = noticeText(last, myId);
  if (notice !== null) return notice;
  const body = last.deletedAt !== null ? 'Message deleted' : previewOf(last);
  if (last.authorId === myId) return `You: ${body}`;
  return room.kind === 'group' ? `${last.author.firstName}: ${body}` : body;
}

function previewOf(message: Message): string {
  let text = previews.get(message);
  if (text === undefined) {
    text = plainText(message.body);
    // Until the parser has come, the preview is the body as written: kept only once it is the real one.
    if (markdownReady()) previews.set(message, text);
  }
  return text;
}

/** When the last message came: its time today, the weekday within a week, else the date. */
export function chatTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  if (at >= startOfToday) return formatDate(at, 'shortTime', 'en-US');
  const weekAgo = new Date(startOfToday);
  weekAgo.setDate(weekAgo.getDate() - 6);
  if (at >= weekAgo) return formatDate(at, 'EEE', 'en-US');
  return formatDate(at, at.getFullYear() === now.getFullYear() ? 'MMM d' : 'MMM d, y', 'en-US');
}
