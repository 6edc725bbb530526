import type { Message, PublicUser } from '@parley/protocol';

const name = (user: PublicUser) => `${user.firstName} ${user.lastName}`;

/**
 * What a system notice says, in one line: "Bob Smith joined", "You left", "Alice Martin removed Carol Jones".
 * Null for a text message.
 */
export function noticeText(message: Message, myId: number | undefined): string | null {
  const notice = message.notice;
  if (!notice) return null;
  const subject = notice.user.id === myId ? 'You' : name(notice.user);
  switch (notice.change) {
    case 'joined':
      return `${subject} joined`;
    case 'left':
      return `${subject} left`;
    case 'removed': {
      const actor = message.authorId === myId ? 'You' : name(message.author);
      return notice.user.id === myId ? `${actor} removed you` : `${actor} removed ${subject}`;
    }
  }
}
