import type { MemberNotice, MemberRole, Message, PublicUser, Reaction } from '@parley/protocol';
import { LIMITS } from '@parley/protocol';
import { isoTime } from './iso-time.js';
import type { JoinablePage, MemberRecord, MembershipRecord, RoomBan, RoomRecord, UserRecord } from './store.js';

/**
 * Rows as both drivers select them (the same column names), and their mapping to records. Only the
 * types of a few columns differ: times are milliseconds in SQLite and `Date`s in PostgreSQL, and a
 * boolean expression is 0/1 in SQLite.
 */
type Time = number | Date;

export interface UserRow {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
  password_hash: string;
  created_at: Time;
  deleted_at: Time | null;
}

export interface RoomRow {
  id: number;
  kind: 'direct' | 'group';
  name: string | null;
  name_fold: string | null;
  password_hash: string | null;
  last_seq: number;
  last_activity_at: Time;
  created_at: Time;
  member_count: number;
  joined: number | boolean;
  peer_id: number | null;
  peer_username: string | null;
  peer_first_name: string | null;
  peer_last_name: string | null;
  peer_last_read_seq: number | null;
  last_read_seq: number;
  unread: number;
  muted: number | boolean;
  last_message_id: number | null;
  last_message_author_id: number | null;
  last_message_client_id: string | null;
  last_message_body: string | null;
  last_message_created_at: Time | null;
  last_message_username: string | null;
  last_message_first_name: string | null;
  last_message_last_name: string | null;
  last_message_edited_at: Time | null;
  last_message_deleted_at: Time | null;
  last_message_change_seq: number | null;
  /** The viewer's role; null when they are not a member. */
  role: MemberRole | null;
  change_seq: number;
}

/**
 * The columns of a RoomRow in the order the room queries select them. SQLite reads room rows as arrays
 * (`roomRowOf`): better-sqlite3 builds a named row key by key, which for `rooms:list` at 1,000 rooms took
 * about as long as the query itself (9 ms against 5 ms, measured), while one object literal built in JS
 * from the array costs next to nothing. The store checks its statements' columns against this list.
 */
export const ROOM_ROW_COLUMNS = [
  'id', 'kind', 'name', 'name_fold', 'password_hash', 'last_seq', 'last_activity_at', 'created_at', 'member_count',
  'joined', 'last_read_seq', 'unread', 'muted', 'peer_id', 'peer_username', 'peer_first_name', 'peer_last_name',
  'peer_last_read_seq', 'last_message_id', 'last_message_author_id', 'last_message_client_id', 'last_message_body',
  'last_message_created_at', 'last_message_username', 'last_message_first_name', 'last_message_last_name',
  'last_message_edited_at', 'last_message_deleted_at', 'last_message_change_seq', 'role', 'change_seq',
] as const satisfies readonly (keyof RoomRow)[];

/** A room row read as an array in the order of ROOM_ROW_COLUMNS. */
export type RoomValues = {
  -readonly [K in keyof typeof ROOM_ROW_COLUMNS]: (typeof ROOM_ROW_COLUMNS)[K] extends keyof RoomRow
    ? RoomRow[(typeof ROOM_ROW_COLUMNS)[K]]
    : never;
};

export const roomRowOf = (v: RoomValues): RoomRow => ({
  id: v[0],
  kind: v[1],
  name: v[2],
  name_fold: v[3],
  password_hash: v[4],
  last_seq: v[5],
  last_activity_at: v[6],
  created_at: v[7],
  member_count: v[8],
  joined: v[9],
  last_read_seq: v[10],
  unread: v[11],
  muted: v[12],
  peer_id: v[13],
  peer_username: v[14],
  peer_first_name: v[15],
  peer_last_name: v[16],
  peer_last_read_seq: v[17],
  last_message_id: v[18],
  last_message_author_id: v[19],
  last_message_client_id: v[20],
  last_message_body: v[21],
  last_message_created_at: v[22],
  last_message_username: v[23],
  last_message_first_name: v[24],
  last_message_last_name: v[25],
  last_message_edited_at: v[26],
  last_message_deleted_at: v[27],
  last_message_change_seq: v[28],
  role: v[29],
  change_seq: v[30],
});

/**
 * The columns of a room's last message, from the copy on the room row `r` (migration 5) and its author `la`;
 * null for someone who is not a member (`me`). `time` is how the driver selects a time column.
 */
export const lastMessageColumns = (time: (column: string) => string = (column) => column) => `
  CASE WHEN me.user_id IS NULL THEN NULL ELSE r.last_message_id END AS last_message_id,
  r.last_message_author_id, r.last_message_client_id, r.last_message_body,
  ${time('r.last_message_created_at')} AS last_message_created_at,
  la.username AS last_message_username, la.first_name AS last_message_first_name, la.last_name AS last_message_last_name,
  ${time('r.last_message_edited_at')} AS last_message_edited_at, ${time('r.last_message_deleted_at')} AS last_message_deleted_at,
  r.last_message_change_seq`;

/** The author of the room's last message, for a member. */
export const LAST_MESSAGE_JOIN = 'LEFT JOIN users la ON me.user_id IS NOT NULL AND la.id = r.last_message_author_id';

export interface MembershipRow {
  kind: 'direct' | 'group';
  last_seq: number;
  member: number | boolean;
  last_read_seq: number;
  muted: number | boolean;
  role: MemberRole | null;
}

export interface MemberRow {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
  role: MemberRole;
  joined_at: Time;
}

export interface MessageRow {
  id: number;
  room_id: number;
  seq: number;
  author_id: number;
  client_id: string;
  body: string;
  created_at: Time;
  edited_at: Time | null;
  deleted_at: Time | null;
  change_seq: number;
  username: string;
  first_name: string;
  last_name: string;
  /** The message it answers (`reply_*`: that message and its author, as MESSAGE_COLUMNS selects them), or null. */
  reply_to_id: number | null;
  reply_seq: number | null;
  reply_excerpt: string | null;
  reply_deleted_at: Time | null;
  reply_author_id: number | null;
  reply_username: string | null;
  reply_first_name: string | null;
  reply_last_name: string | null;
}

/**
 * The columns of a MessageRow, from a message `m`, its author `u`, the message it answers `o` and that one's author
 * `ou` (see MESSAGE_JOINS). `time` is how the driver selects a time column.
 */
export const messageColumns = (time: (column: string) => string = (column) => column) => `
  m.id, m.room_id, m.seq, m.author_id, m.client_id, m.body, ${time('m.created_at')} AS created_at,
  ${time('m.edited_at')} AS edited_at, ${time('m.deleted_at')} AS deleted_at, m.change_seq,
  u.username, u.first_name, u.last_name,
  m.reply_to_id, o.seq AS reply_seq, substr(o.body, 1, ${LIMITS.quoteChars}) AS reply_excerpt,
  ${time('o.deleted_at')} AS reply_deleted_at, o.author_id AS reply_author_id,
  ou.username AS reply_username, ou.first_name AS reply_first_name, ou.last_name AS reply_last_name`;

/** What messageColumns reads from besides `m`: a join on a key each, and none at all for a message that answers none. */
export const MESSAGE_JOINS = `
  JOIN users u ON u.id = m.author_id
  LEFT JOIN messages o ON o.id = m.reply_to_id
  LEFT JOIN users ou ON ou.id = o.author_id`;

/** A message's reactions as the drivers read them, one row per message and emoji, in the order of `Message.reactions`. */
export interface ReactionRow {
  message_id: number;
  emoji: string;
  count: number;
  me: number | boolean;
}

/** Fills in the reactions of `messages` from their rows. */
export function withReactions(messages: Message[], rows: readonly ReactionRow[]): Message[] {
  if (rows.length === 0) return messages;
  const byMessage = new Map<number, Reaction[]>();
  for (const row of rows) {
    let list = byMessage.get(row.message_id);
    if (!list) byMessage.set(row.message_id, (list = []));
    list.push({ emoji: row.emoji, count: Number(row.count), me: Boolean(row.me) });
  }
  for (const message of messages) message.reactions = byMessage.get(message.id) ?? [];
  return messages;
}

/** The ids of the messages that may have reactions: only a message that changed can, and a deleted one has none. */
export const reactable = (messages: readonly Message[]) =>
  messages.filter((message) => message.changeSeq > 0 && message.deletedAt === null).map((message) => message.id);

const iso = (time: Time) => (typeof time === 'number' ? isoTime(time) : time.toISOString());

export const toPublicUser = (row: UserRow): PublicUser => ({
  id: row.id,
  username: row.username,
  firstName: row.first_name,
  lastName: row.last_name,
});

export const toUserRecord = (row: UserRow): UserRecord => ({
  ...toPublicUser(row),
  passwordHash: row.password_hash,
  createdAt: iso(row.created_at),
  deleted: row.deleted_at !== null,
});

export const toRoomRecord = (row: RoomRow): RoomRecord => ({
  id: row.id,
  kind: row.kind,
  name: row.name,
  passwordHash: row.password_hash,
  memberCount: row.member_count,
  lastSeq: row.last_seq,
  lastActivityAt: iso(row.last_activity_at),
  createdAt: iso(row.created_at),
  joined: Boolean(row.joined),
  peer:
    row.peer_id === null
      ? null
      : { id: row.peer_id, username: row.peer_username!, firstName: row.peer_first_name!, lastName: row.peer_last_name! },
  lastReadSeq: row.last_read_seq,
  unread: row.unread,
  muted: Boolean(row.muted),
  lastMessage:
    row.last_message_id === null
      ? null
      : toMessage({
          id: row.last_message_id,
          room_id: row.id,
          seq: row.last_seq,
          author_id: row.last_message_author_id!,
          client_id: row.last_message_client_id!,
          body: row.last_message_body!,
          created_at: row.last_message_created_at!,
          username: row.last_message_username!,
          first_name: row.last_message_first_name!,
          last_name: row.last_message_last_name!,
          edited_at: row.last_message_edited_at,
          deleted_at: row.last_message_deleted_at,
          change_seq: row.last_message_change_seq ?? 0,
          ...NO_REPLY,
        }),
  peerLastReadSeq: row.kind === 'direct' ? row.peer_last_read_seq : null,
  role: row.role,
  changeSeq: row.change_seq,
});

/**
 * A room's copy of its last message does not keep what it answers: `lastMessage` is a preview, and its `replyTo` is
 * null (and its `reactions` empty) whatever the message's.
 */
const NO_REPLY = {
  reply_to_id: null,
  reply_seq: null,
  reply_excerpt: null,
  reply_deleted_at: null,
  reply_author_id: null,
  reply_username: null,
  reply_first_name: null,
  reply_last_name: null,
} satisfies Partial<MessageRow>;

export const toRoomBan = (until: Time | null): RoomBan => ({ until: until === null ? null : iso(until) });

export const toMemberRecord = (row: MemberRow): MemberRecord => ({
  user: { id: row.id, username: row.username, firstName: row.first_name, lastName: row.last_name },
  role: row.role,
  joinedAt: iso(row.joined_at),
});

export const toMembershipRecord = (row: MembershipRow): MembershipRecord => ({
  kind: row.kind,
  lastSeq: row.last_seq,
  member: Boolean(row.member),
  lastReadSeq: row.last_read_seq,
  muted: Boolean(row.muted),
  role: row.role,
});

const NOTICE_CLIENT_ID_PREFIX = 'notice.';

/**
 * The clientId of a room's system notice (`changeMembership`), by which it is told apart from a text message. No
 * client can send one (`clientIdSchema` has no dot), and the messages table and the send path, the hottest of all,
 * stay as they were. Unique per author as clientIds must be, since a room's seq is. The notice itself is stored
 * in `body`, as JSON.
 */
export const noticeClientId = (roomId: number, seq: number) => `${NOTICE_CLIENT_ID_PREFIX}${roomId}.${seq}`;

export const noticeBody = (notice: MemberNotice) => JSON.stringify(notice);

export const toMessage = (row: MessageRow): Message => {
  const notice = row.client_id.startsWith(NOTICE_CLIENT_ID_PREFIX) ? (JSON.parse(row.body) as MemberNotice) : null;
  return {
    id: row.id,
    roomId: row.room_id,
    seq: row.seq,
    kind: notice ? 'system' : 'text',
    authorId: row.author_id,
    author: { id: row.author_id, username: row.username, firstName: row.first_name, lastName: row.last_name },
    body: notice ? '' : row.body,
    notice,
    clientId: row.client_id,
    createdAt: iso(row.created_at),
    editedAt: row.edited_at === null ? null : iso(row.edited_at),
    deletedAt: row.deleted_at === null ? null : iso(row.deleted_at),
    changeSeq: Number(row.change_seq),
    replyTo:
      row.reply_to_id === null || row.reply_seq === null
        ? null
        : {
            id: row.reply_to_id,
            seq: row.reply_seq,
            author: {
              id: row.reply_author_id!,
              username: row.reply_username!,
              firstName: row.reply_first_name!,
              lastName: row.reply_last_name!,
            },
            excerpt: row.reply_deleted_at === null ? row.reply_excerpt! : '',
            deleted: row.reply_deleted_at !== null,
          },
    reactions: [],
  };
};

/** A page from up to `limit + 1` rows in joinable order: the extra row, if any, only tells that more follow. */
export function joinablePage(rows: readonly RoomRow[], limit: number): JoinablePage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rooms: page.map(toRoomRecord),
    next: rows.length > limit && last ? { nameFold: last.name_fold!, id: last.id } : null,
  };
}
