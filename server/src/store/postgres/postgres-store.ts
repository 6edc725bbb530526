import pg from 'pg';
import type { MemberRole, Message, MessageEdit, PublicUser } from '@parley/protocol';
import { Batcher, type Outcome } from '../batcher.js';
import { namePrefixShape, prefixEnd, type NamePrefixShape } from '../name-keys.js';
import {
  LAST_MESSAGE_JOIN,
  lastMessageColumns,
  MESSAGE_JOINS,
  messageColumns,
  reactable,
  withReactions,
  type ReactionRow,
  joinablePage,
  noticeBody,
  noticeClientId,
  toMemberRecord,
  toMembershipRecord,
  toRoomBan,
  toMessage,
  toPublicUser,
  toRoomRecord,
  toUserRecord,
  type MemberRow,
  type MembershipRow,
  type MessageRow,
  type RoomRow,
  type UserRow,
} from '../rows.js';
import {
  StoreConflictError,
  type AppendResult,
  type BlockRelations,
  type ChangesQuery,
  type MessageChanged,
  type MessageEditChange,
  type ReactionChangeRequest,
  type RoomCounters,
  type NameChange,
  type SendStanding,
  type SessionListing,
  type HistoryQuery,
  type JoinablePage,
  type JoinableQuery,
  type GroupRoomChanges,
  type MemberRecord,
  type MembersPageQuery,
  type RoomBan,
  type MembershipChange,
  type MembershipChanged,
  type MembershipRecord,
  FIRST_ACTIVITY_POSITION,
  type MemberRoomsPageQuery,
  type MemberRoomsQuery,
  type NewGroupRoom,
  type NewMessage,
  type NewSession,
  type NewUser,
  type ReadMarkerMove,
  type RoomRecord,
  type SessionRecord,
  type Store,
  type UserRecord,
  type UsersPageQuery,
} from '../store.js';
import { DELETED_USER_NAME, directRoomKey, releasedUsername } from '../direct-key.js';
import { appendMessages } from './append-messages.js';
import { postgresMigrations } from './migrations.js';

export interface PostgresStoreOptions {
  /** The most connections the pool opens at once. Default 10. */
  poolSize?: number;
  /**
   * A schema to use instead of the connection's default `search_path` (it must exist). A plain identifier:
   * letters, digits, `_` and `$`. Operators can also set it in the URL: `?options=-c%20search_path%3Dparley`.
   */
  searchPath?: string;
  /** How long to wait for a new connection before failing, in ms. Default 10 000. */
  connectionTimeoutMillis?: number;
  /**
   * Told about errors on idle pooled connections (the server restarted, the network dropped). The pool has
   * already thrown that connection away and the next query opens a new one; without a listener such an
   * error would crash the process. Ignored by default.
   */
  onIdleError?: (error: Error) => void;
}


/**
 * Per-pool type parsers (the global `pg.types` is left alone): int8 — identity ids, seqs, `count(*)` —
 * becomes a JS number. Ids and seqs stay far below 2^53; should one ever not, fail loudly instead of
 * rounding. `timestamptz` keeps pg's default parser, a `Date`.
 */
const INT8_OID = pg.types.builtins.INT8;

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit in a JS number`);
  return value;
}

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && (format ?? 'text') === 'text'
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

const USER_COLUMNS = 'id, username, first_name, last_name, password_hash, created_at, deleted_at';

/**
 * A room's times as milliseconds since the epoch (an int8, a JS number) rather than timestamptz: pg's
 * parser turns each into a `Date` with a regular expression, and that and the `toISOString` after it were
 * the two largest items of Node's time for `rooms:list` at 1,000 rooms (3,000 times; profiled).
 */
const epochMs = (column: string) => `(extract(epoch FROM ${column}) * 1000)::bigint`;

/**
 * The columns of a room as seen by the viewer `$1`: member count, the viewer's membership (read marker, unread count, mute, role)
 * and, for a member, the last message; for a direct room, the other member and their read marker. Every
 * join is on a key: `rooms:list` answers in one query however many rooms the viewer is in.
 */
const ROOM_COLUMNS = `
  r.id, r.kind, r.name, r.name_fold, r.password_hash, r.last_seq,
  ${epochMs('r.last_activity_at')} AS last_activity_at, ${epochMs('r.created_at')} AS created_at,
  (SELECT count(*) FROM members m WHERE m.room_id = r.id) AS member_count,
  me.user_id IS NOT NULL AS joined,
  coalesce(me.last_read_seq, 0) AS last_read_seq,
  CASE WHEN me.user_id IS NULL THEN 0 ELSE r.last_seq - me.last_read_seq END AS unread,
  coalesce(me.muted, false) AS muted,
  p.id AS peer_id, p.username AS peer_username, p.first_name AS peer_first_name, p.last_name AS peer_last_name,
  pm.last_read_seq AS peer_last_read_seq, ${lastMessageColumns(epochMs)},
  me.role, r.change_seq`;

/**
 * What ROOM_COLUMNS joins to `r` and the viewer's membership `me`. The peer is a LATERAL subquery with
 * LIMIT 1, which the planner cannot flatten: one index probe per room; the last message is on the room row.
 */
const ROOM_JOINS = `
  LEFT JOIN LATERAL (
    SELECT m.user_id, m.last_read_seq FROM members m
    WHERE r.kind = 'direct' AND m.room_id = r.id AND m.user_id <> $1 LIMIT 1
  ) pm ON true
  LEFT JOIN users p ON p.id = pm.user_id
  ${LAST_MESSAGE_JOIN}`;

const ROOM_SELECT = `
  SELECT ${ROOM_COLUMNS}
  FROM rooms r LEFT JOIN members me ON me.room_id = r.id AND me.user_id = $1
  ${ROOM_JOINS}`;

const MESSAGE_SELECT = `SELECT ${messageColumns()} FROM messages m ${MESSAGE_JOINS}`;

/**
 * A statement that each pooled connection parses and plans once, on its first use, and then only binds and
 * executes: for the queries that run per message or per connection (the append has its own, in
 * `./append-messages.ts`). Each is a key look-up, so the generic plan PostgreSQL may settle on is the plan.
 */
const prepared = (name: string, text: string) => ({ name, text });

/**
 * As SQLite's (see its `usersMatching`): the people after username key $2 whose username key, whole name fold or last
 * name fold starts with $1 ($4 is the end of its range, or null when nothing sorts above it: the planner, which plans
 * each query with its values, then drops that bound), the first $3 of each, merged, then their rows. A range of a
 * name fold is ordered by an expression, so that the planner cannot walk the username index in order instead.
 */
function usersMatching(shape: NamePrefixShape): string {
  const byName = (fold: string) =>
    shape === 'range'
      ? `${fold} >= $1 AND ($4::text IS NULL OR ${fold} < $4) AND username_key > $2 ORDER BY username_key || ''`
      : `left(${fold}, ${shape}) = $1 AND username_key > $2 ORDER BY username_key`;
  const arm = (where: string) => `(SELECT username_key FROM users WHERE deleted_at IS NULL AND ${where} LIMIT $3)`;
  return `
    WITH page AS (
      ${arm('username_key >= $1 AND ($4::text IS NULL OR username_key < $4) AND username_key > $2 ORDER BY username_key')}
      UNION ${arm(byName('full_name_fold'))} UNION ${arm(byName('last_name_fold'))}
      ORDER BY 1 LIMIT $3
    )
    SELECT ${USER_COLUMNS.split(', ').map((column) => `u.${column}`).join(', ')}
    FROM page JOIN users u ON u.username_key = page.username_key ORDER BY u.username_key`;
}

/** A notice's JSON (`column`) naming its subject $2 $3, username $4: an account deleted. */
const renamedNotice = (column: string) =>
  `jsonb_set(jsonb_set(jsonb_set(${column}::jsonb, '{user,firstName}', to_jsonb($2::text)), '{user,lastName}', to_jsonb($3::text)),
             '{user,username}', to_jsonb($4::text))::text`;

const Q = {
  insertUser: `INSERT INTO users (username, username_key, first_name, last_name, full_name_fold, last_name_fold, password_hash, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${USER_COLUMNS}`,
  userById: `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
  userByKey: `SELECT ${USER_COLUMNS} FROM users WHERE username_key = $1`,
  // username_key and the folds are COLLATE "C": byte order, as SQLite sorts them.
  usersPage: `SELECT ${USER_COLUMNS} FROM users WHERE username_key > $1 AND deleted_at IS NULL ORDER BY username_key LIMIT $2`,
  usersPageMatching: { 1: usersMatching(1), 2: usersMatching(2), 3: usersMatching(3), range: usersMatching('range') },
  insertSession: `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent, address, last_used_at)
                  VALUES ($1, $2, $3, $4, $5, $6, $3)`,
  sessionByHash: prepared(
    'session_by_hash',
    `SELECT s.id AS session_id, s.expires_at, s.last_used_at, u.id, u.username, u.first_name, u.last_name, u.password_hash,
            u.created_at, u.deleted_at
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.deleted_at IS NULL`,
  ),
  touchSession: 'UPDATE sessions SET last_used_at = $2 WHERE id = $1',
  listSessions: `SELECT id, created_at, last_used_at, user_agent, address FROM sessions
                 WHERE user_id = $1 AND expires_at > $2 ORDER BY id DESC`,
  deleteUserSession: 'DELETE FROM sessions WHERE id = $1 AND user_id = $2',
  deleteSessionsExcept: 'DELETE FROM sessions WHERE user_id = $1 AND id <> $2 RETURNING id',
  updateUserName: `UPDATE users SET first_name = $2, last_name = $3, full_name_fold = $4, last_name_fold = $5
                   WHERE id = $1 AND deleted_at IS NULL RETURNING ${USER_COLUMNS}`,
  updatePasswordHash: 'UPDATE users SET password_hash = $2 WHERE id = $1',
  markUserDeleted: `UPDATE users SET first_name = $3, last_name = $4, full_name_fold = '', last_name_fold = '', password_hash = '',
                      deleted_at = $2
                    WHERE id = $1 AND deleted_at IS NULL RETURNING id`,
  deleteSessionsOf: 'DELETE FROM sessions WHERE user_id = $1 RETURNING id',
  deleteBlocksOf: 'DELETE FROM user_blocks WHERE blocker_id = $1 OR blocked_id = $1',
  // As SQLite's renameNoticesOf and renameLastNoticesOf.
  renameNoticesOf: `UPDATE messages SET body = ${renamedNotice('body')}
                    WHERE author_id = $1 AND client_id >= 'notice.' AND client_id < 'notice/'`,
  renameLastNoticesOf: `UPDATE rooms SET last_message_body = ${renamedNotice('last_message_body')}
                        WHERE last_message_author_id = $1 AND last_message_client_id >= 'notice.' AND last_message_client_id < 'notice/'`,
  closeDirectRoomsOf: `UPDATE members SET send_closed = true
                       WHERE room_id IN (SELECT m.room_id FROM members m JOIN rooms r ON r.id = m.room_id AND r.kind = 'direct'
                                         WHERE m.user_id = $1)`,
  releaseDeletedUsernames: `UPDATE users SET username = '~' || id, username_key = '~' || id
                            WHERE deleted_at < $1 AND username_key NOT LIKE '~%'`,
  // Both people's rows, in id order (so that two such locks never wait on each other in a cycle): what closes or opens
  // a pair's direct chat (a block, the chat's creation, an account's deletion, whose UPDATE conflicts with these)
  // then runs one at a time, and each sees what the one before committed.
  lockPairForBlock: 'SELECT deleted_at FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE',
  lockPairForChat: 'SELECT 1 FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR SHARE',
  blocksOf: 'SELECT count(*)::int AS count FROM user_blocks WHERE blocker_id = $1',
  insertBlock: 'INSERT INTO user_blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
  deleteBlock: 'DELETE FROM user_blocks WHERE blocker_id = $1 AND blocked_id = $2',
  // Closed to sending while a block stands either way, or while either of the two is deleted.
  closeDirectRoomIfBarred: `UPDATE members SET send_closed =
                              EXISTS (SELECT 1 FROM user_blocks WHERE (blocker_id = $2 AND blocked_id = $3) OR (blocker_id = $3 AND blocked_id = $2))
                              OR EXISTS (SELECT 1 FROM users WHERE id IN ($2, $3) AND deleted_at IS NOT NULL)
                            WHERE room_id = (SELECT id FROM rooms WHERE direct_key = $1)`,
  listBlocked: `SELECT ${USER_COLUMNS.split(', ').map((column) => `u.${column}`).join(', ')}
                FROM user_blocks b JOIN users u ON u.id = b.blocked_id
                WHERE b.blocker_id = $1 ORDER BY b.created_at DESC, b.blocked_id DESC`,
  blockRelationsOf: `SELECT blocked_id AS id, true AS by_me FROM user_blocks WHERE blocker_id = $1
                     UNION ALL SELECT blocker_id, false FROM user_blocks WHERE blocked_id = $1`,
  blocksAmong: `SELECT blocked_id AS id, true AS by_me FROM user_blocks WHERE blocker_id = $1 AND blocked_id = ANY($2::bigint[])
                UNION ALL SELECT blocker_id, false FROM user_blocks WHERE blocked_id = $1 AND blocker_id = ANY($2::bigint[])`,
  deleteSession: 'DELETE FROM sessions WHERE token_hash = $1 RETURNING id',
  deleteExpiredSessions: 'DELETE FROM sessions WHERE expires_at <= $1',
  deleteSessionsBeyond: `DELETE FROM sessions WHERE user_id = $1 AND id NOT IN
                           (SELECT id FROM sessions WHERE user_id = $1 ORDER BY id DESC LIMIT $2)
                         RETURNING id`,
  insertGroupRoom: `INSERT INTO rooms (kind, name, name_key, name_fold, password_hash, created_by, last_activity_at, created_at)
                    VALUES ('group', $1, $2, $3, $4, $5, $6, $6) RETURNING id`,
  insertDirectRoom: `INSERT INTO rooms (kind, direct_key, created_by, last_activity_at, created_at)
                     VALUES ('direct', $1, $2, $3, $3) ON CONFLICT (direct_key) DO NOTHING RETURNING id`,
  directRoomId: 'SELECT id FROM rooms WHERE direct_key = $1',
  roomForViewer: `${ROOM_SELECT} WHERE r.id = $2`,
  roomIdByNameKey: 'SELECT id FROM rooms WHERE name_key = $1',
  // NO KEY: conflicts only with itself here, not with the key-share locks that foreign keys to users take.
  lockUser: 'SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE',
  groupRoomsCreatedBy: "SELECT count(*) AS count FROM rooms WHERE created_by = $1 AND kind = 'group'",
  // Starts from the viewer's memberships (the index members_user_id), each joined to its room by key.
  // The page is picked by activity alone (in ms, as the cursor holds it, so that a time with microseconds
  // neither repeats nor skips a room); the columns of ROOM_COLUMNS are read for its rooms only.
  memberRoomsPage: `WITH page AS (
                      SELECT r.id, ${epochMs('r.last_activity_at')} AS activity_ms
                      FROM members me JOIN rooms r ON r.id = me.room_id
                      WHERE me.user_id = $1 AND (${epochMs('r.last_activity_at')}, r.id) < ($2::bigint, $3::bigint)
                      ORDER BY activity_ms DESC, r.id DESC LIMIT $4
                    )
                    SELECT ${ROOM_COLUMNS}
                    FROM page JOIN rooms r ON r.id = page.id JOIN members me ON me.room_id = r.id AND me.user_id = $1
                    ${ROOM_JOINS}
                    ORDER BY page.activity_ms DESC, r.id DESC`,
  // The same, but for the rooms in $2, and no more than $3.
  memberRoomsExcept: `SELECT ${ROOM_COLUMNS} FROM members me JOIN rooms r ON r.id = me.room_id ${ROOM_JOINS}
                      WHERE me.user_id = $1 AND me.room_id <> ALL ($2::bigint[])
                      ORDER BY r.last_activity_at DESC, r.id DESC LIMIT $3`,
  // Walks the index rooms_joinable (name_fold is COLLATE "C", as the parameters compare) from the cursor or the prefix on.
  joinableRooms: `${ROOM_SELECT}
                  WHERE r.kind = 'group' AND (r.name_fold, r.id) > ($2, $3) AND r.name_fold >= $4
                    AND ($5::text IS NULL OR r.name_fold < $5)
                    AND NOT EXISTS (SELECT 1 FROM members m WHERE m.room_id = r.id AND m.user_id = $1)
                  ORDER BY r.name_fold, r.id LIMIT $6`,
  // A new member has read what came before them.
  insertMember: `INSERT INTO members (room_id, user_id, joined_at, last_read_seq)
                 SELECT $1::bigint, $2::bigint, $3::timestamptz, last_seq FROM rooms WHERE id = $1
                 ON CONFLICT DO NOTHING`,
  deleteMember: 'DELETE FROM members WHERE room_id = $1 AND user_id = $2',
  makeOwner: "UPDATE members SET role = 'owner' WHERE room_id = $1 AND user_id = $2",
  leaveMember: 'DELETE FROM members WHERE room_id = $1 AND user_id = $2 RETURNING role',
  // The longest-standing moderator, else member, takes over an owner's room.
  handOver: `UPDATE members SET role = 'owner' WHERE room_id = $1 AND user_id = (
               SELECT user_id FROM members WHERE room_id = $1 ORDER BY (role = 'moderator') DESC, joined_at, user_id LIMIT 1
             ) RETURNING user_id`,
  // The first to join a group room that everyone left owns it.
  ownIfOwnerless: `UPDATE members SET role = 'owner' WHERE room_id = $1 AND user_id = $2
                     AND NOT EXISTS (SELECT 1 FROM members WHERE room_id = $1 AND role = 'owner')
                     AND (SELECT kind FROM rooms WHERE id = $1) = 'group'`,
  ban: `INSERT INTO room_bans (room_id, user_id, until, banned_by) VALUES ($1, $2, $3, $4)
        ON CONFLICT (room_id, user_id) DO UPDATE SET until = excluded.until, banned_by = excluded.banned_by`,
  findBan: 'SELECT until FROM room_bans WHERE room_id = $1 AND user_id = $2 AND (until IS NULL OR until > $3)',
  deleteBan: 'DELETE FROM room_bans WHERE room_id = $1 AND user_id = $2',
  renameRoom: "UPDATE rooms SET name = $2, name_key = $3, name_fold = $4 WHERE id = $1 AND kind = 'group'",
  setRoomPassword: "UPDATE rooms SET password_hash = $2 WHERE id = $1 AND kind = 'group'",
  setRole: "UPDATE members SET role = $3 WHERE room_id = $1 AND user_id = $2 AND role NOT IN ('owner', $3)",
  deleteRoom: 'DELETE FROM rooms WHERE id = $1',
  // Walks the index members_room_joined from the position ($2, $3) on, or from the start when $2 is null.
  membersPage: `SELECT u.id, u.username, u.first_name, u.last_name, m.role, m.joined_at
                FROM members m JOIN users u ON u.id = m.user_id
                WHERE m.room_id = $1 AND ($2::timestamptz IS NULL OR (m.joined_at, m.user_id) > ($2::timestamptz, $3::bigint))
                ORDER BY m.joined_at, m.user_id LIMIT $4`,
  // Taken first by a change of membership, as a batch of appends takes it before any member row: in one order, no
  // deadlock between them.
  lockRoom: 'SELECT last_seq FROM rooms WHERE id = $1 FOR UPDATE',
  // A system notice ($3 its clientId, $4 its body) with the room's next seq, as one append of a batch is written
  // (see append-messages.ts), its author's marker moved to it; with the members counted after the change.
  appendNotice: `
    WITH moved AS (
      UPDATE rooms SET last_seq = last_seq + 1, last_activity_at = $5,
        last_message_id = nextval((SELECT pg_get_serial_sequence('messages', 'id'))::regclass),
        last_message_author_id = $2, last_message_client_id = $3, last_message_body = $4, last_message_created_at = $5,
        last_message_edited_at = NULL, last_message_deleted_at = NULL, last_message_change_seq = 0
      WHERE id = $1 RETURNING last_seq, last_message_id
    ),
    stored AS (
      INSERT INTO messages (id, room_id, seq, author_id, client_id, body, created_at) OVERRIDING SYSTEM VALUE
      SELECT last_message_id, $1, last_seq, $2, $3, $4, $5 FROM moved
      RETURNING *
    ),
    author_read AS (
      UPDATE members me SET last_read_seq = GREATEST(me.last_read_seq, s.seq) FROM stored s
      WHERE me.room_id = s.room_id AND me.user_id = s.author_id
    )
    SELECT ${messageColumns()}, (SELECT count(*) FROM members WHERE room_id = $1) AS member_count
    FROM stored m ${MESSAGE_JOINS}`,
  // The memberships among the pairs ($1[i], $2[i]).
  members: prepared(
    'members',
    `SELECT m.room_id, m.user_id, m.send_closed FROM unnest($1::bigint[], $2::bigint[]) AS c(room_id, user_id)
     JOIN members m ON m.room_id = c.room_id AND m.user_id = c.user_id`,
  ),
  roomIdsOf: 'SELECT room_id FROM members WHERE user_id = $1 ORDER BY room_id',
  roomCountersOf: 'SELECT m.room_id, r.last_seq, r.change_seq FROM members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = $1',
  membership: prepared(
    'membership',
    `SELECT r.kind, r.last_seq, me.user_id IS NOT NULL AS member,
            coalesce(me.last_read_seq, 0) AS last_read_seq, coalesce(me.muted, false) AS muted, me.role
     FROM rooms r LEFT JOIN members me ON me.room_id = r.id AND me.user_id = $2 WHERE r.id = $1`,
  ),
  advanceReadMarker: 'UPDATE members SET last_read_seq = $3 WHERE room_id = $1 AND user_id = $2 AND last_read_seq < $3',
  readMarker: 'SELECT last_read_seq FROM members WHERE room_id = $1 AND user_id = $2',
  setMuted: 'UPDATE members SET muted = $3 WHERE room_id = $1 AND user_id = $2 AND muted <> $3',
  messagesBefore: `${MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3`,
  messagesAfter: `${MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3`,
  // The changed ones only: the partial index messages_changes holds them.
  changedMessages: `${MESSAGE_SELECT}
    WHERE m.room_id = $1 AND m.change_seq > 0 AND m.change_seq > $2 AND m.seq <= $3 ORDER BY m.change_seq LIMIT $4`,
  messageById: `${MESSAGE_SELECT} WHERE m.id = $1`,
  reactionsOf: `SELECT message_id, emoji, count(*)::int AS count, bool_or(user_id = $2) AS me
                FROM message_reactions WHERE message_id = ANY($1::bigint[])
                GROUP BY message_id, emoji ORDER BY message_id, min(created_at), emoji`,
  messageRoom: 'SELECT room_id FROM messages WHERE id = $1',
  // Read once the room's row is locked: every change of a room's messages takes that lock first.
  changedRow: 'SELECT room_id, body, deleted_at FROM messages WHERE id = $1',
  raiseChangeSeq: 'UPDATE rooms SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq',
  editCount: 'SELECT count(*)::int AS count FROM message_edits WHERE message_id = $1',
  keepEdit: 'INSERT INTO message_edits (message_id, n, replaced_at, body) VALUES ($1, $2, $3, $4)',
  setBody: 'UPDATE messages SET body = $2, edited_at = $3, change_seq = $4 WHERE id = $1',
  setBodyCopy: `UPDATE rooms SET last_message_body = $3, last_message_edited_at = $4, last_message_change_seq = $5
                WHERE id = $2 AND last_message_id = $1`,
  tombstone: "UPDATE messages SET body = '', deleted_at = $2, change_seq = $3, reply_to_id = NULL WHERE id = $1",
  tombstoneCopy: `UPDATE rooms SET last_message_body = '', last_message_deleted_at = $3, last_message_change_seq = $4
                  WHERE id = $2 AND last_message_id = $1`,
  dropEdits: 'DELETE FROM message_edits WHERE message_id = $1',
  dropReactions: 'DELETE FROM message_reactions WHERE message_id = $1',
  setChangeSeq: 'UPDATE messages SET change_seq = $2 WHERE id = $1',
  setChangeSeqCopy: 'UPDATE rooms SET last_message_change_seq = $3 WHERE id = $2 AND last_message_id = $1',
  addReaction: `INSERT INTO message_reactions (message_id, emoji, user_id, created_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT DO NOTHING`,
  removeReaction: 'DELETE FROM message_reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3',
  emojiOf: 'SELECT DISTINCT emoji FROM message_reactions WHERE message_id = $1',
  edits: 'SELECT body, replaced_at FROM message_edits WHERE message_id = $1 ORDER BY n',
} as const;

/** Which `StoreConflictError` a unique constraint, named in `./migrations.ts`, stands for. */
const CONFLICTS: Record<string, StoreConflictError['constraint']> = {
  users_username_key: 'username',
  rooms_name_key: 'room_name',
};

const UNIQUE_VIOLATION = '23505';

/**
 * SQLSTATE classes of errors that one message of a batch can cause: data exceptions (22: a NUL byte in a body),
 * integrity constraints (23: a foreign key, another server storing the same clientId first) and
 * transaction rollbacks (40: a deadlock with another server's batch).
 */
const ONE_MESSAGE_ERROR_CLASSES = new Set(['22', '23', '40']);

function oneMessageMayCause(error: unknown): boolean {
  return error instanceof pg.DatabaseError && ONE_MESSAGE_ERROR_CLASSES.has(error.code?.slice(0, 2) ?? '');
}

function uniqueViolationOf(error: unknown): StoreConflictError['constraint'] | null {
  if (!(error instanceof pg.DatabaseError) || error.code !== UNIQUE_VIOLATION) return null;
  return CONFLICTS[error.constraint ?? ''] ?? null;
}

/** Any number that fits; keys one lock in the whole database, taken only while migrating. */
const MIGRATION_LOCK_KEY = 0x7061726c6579; // "parley"

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

function poolConfig(url: string, options: PostgresStoreOptions): pg.PoolConfig {
  const config: pg.PoolConfig = {
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    types: typeParsers,
    // synchronous_commit stays at the server default, on: COMMIT returns only once the WAL is flushed, so a
    // message that was committed and acknowledged survives a crash of the database machine.
  };
  if (options.searchPath !== undefined) {
    if (!PLAIN_IDENTIFIER.test(options.searchPath)) {
      throw new Error(`searchPath must be a plain identifier, not "${options.searchPath}"`);
    }
    // Settings in the URL override the config object in pg, so take a URL `options` out and merge it.
    const parsed = new URL(url);
    const fromUrl = parsed.searchParams.get('options');
    if (fromUrl !== null) {
      parsed.searchParams.delete('options');
      config.connectionString = parsed.toString();
    }
    config.options = [fromUrl, `-c search_path=${options.searchPath}`].filter(Boolean).join(' ');
  }
  return config;
}

/** Connects to the database, applies pending migrations, and returns the store. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool(poolConfig(url, options));
  const onIdleError = options.onIdleError ?? (() => {});
  pool.on('error', (error) => onIdleError(error));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return new PostgresStore(pool);
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in order, each in its own transaction.
 * Several servers may start at once: an advisory lock lets one migrate while the others wait, and they then
 * find everything applied. The lock is the session's, released on unlock or when the connection ends.
 */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL)`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((row) => row.version));
      for (const migration of postgresMigrations) {
        if (applied.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await migration.run?.(client);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch((error: Error) => {
        // Closing the connection releases the lock instead.
        broken = error;
      });
    }
  } finally {
    client.release(broken);
  }
}

/** The most appends written in one transaction: bounds the statement, its arrays and the time its locks are held. */
const APPEND_BATCH_MAX = 500;
/** The most membership checks in one query. */
const MEMBER_CHECK_BATCH_MAX = 1000;

interface MemberCheck {
  roomId: number;
  userId: number;
}

class PostgresStore implements Store {
  private closing: Promise<void> | undefined;
  private readonly appends = new Batcher<NewMessage, AppendResult>(
    (messages) => this.writeAppends(messages),
    APPEND_BATCH_MAX,
  );
  private readonly memberChecks = new Batcher<MemberCheck, SendStanding>((checks) => this.checkMembers(checks), MEMBER_CHECK_BATCH_MAX);

  constructor(private readonly pool: pg.Pool) {}

  async createUser(user: NewUser): Promise<UserRecord> {
    try {
      const { rows } = await this.pool.query<UserRow>(Q.insertUser, [
        user.username,
        user.usernameKey,
        user.firstName,
        user.lastName,
        user.fullNameFold,
        user.lastNameFold,
        user.passwordHash,
        user.createdAt,
      ]);
      return toUserRecord(rows[0]!);
    } catch (error) {
      if (uniqueViolationOf(error) === 'username') throw new StoreConflictError('username');
      throw error;
    }
  }

  async findUserById(id: number): Promise<UserRecord | null> {
    const { rows } = await this.pool.query<UserRow>(Q.userById, [id]);
    return rows[0] ? toUserRecord(rows[0]) : null;
  }

  async findUserByUsernameKey(usernameKey: string): Promise<UserRecord | null> {
    const { rows } = await this.pool.query<UserRow>(Q.userByKey, [usernameKey]);
    return rows[0] ? toUserRecord(rows[0]) : null;
  }

  async listUsersPage(query: UsersPageQuery): Promise<PublicUser[]> {
    const after = query.afterKey ?? '';
    const { rows } = query.prefix
      ? await this.pool.query<UserRow>(Q.usersPageMatching[namePrefixShape(query.prefix)], [query.prefix, after, query.limit, prefixEnd(query.prefix)])
      : await this.pool.query<UserRow>(Q.usersPage, [after, query.limit]);
    return rows.map(toPublicUser);
  }

  async createSession(session: NewSession): Promise<void> {
    await this.pool.query(Q.insertSession, [
      session.tokenHash,
      session.userId,
      session.createdAt,
      session.expiresAt,
      session.userAgent,
      session.address,
    ]);
  }

  async findSession(tokenHash: string, now: Date): Promise<SessionRecord | null> {
    const { rows } = await this.pool.query<{ session_id: number; expires_at: Date; last_used_at: Date } & UserRow>({
      ...Q.sessionByHash,
      values: [tokenHash, now],
    });
    const row = rows[0];
    if (!row) return null;
    return { id: row.session_id, userId: row.id, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, user: toPublicUser(row) };
  }

  async deleteSession(tokenHash: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ id: number }>(Q.deleteSession, [tokenHash]);
    return rows[0]?.id ?? null;
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const { rowCount } = await this.pool.query(Q.deleteExpiredSessions, [now]);
    return rowCount ?? 0;
  }

  async deleteSessionsBeyond(userId: number, keep: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ id: number }>(Q.deleteSessionsBeyond, [userId, keep]);
    return rows.map((row) => row.id);
  }

  async touchSession(sessionId: number, at: Date): Promise<void> {
    await this.pool.query(Q.touchSession, [sessionId, at]);
  }

  async listSessions(userId: number, now: Date): Promise<SessionListing[]> {
    const { rows } = await this.pool.query<{ id: number; created_at: Date; last_used_at: Date; user_agent: string; address: string }>(
      Q.listSessions,
      [userId, now],
    );
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      userAgent: row.user_agent,
      address: row.address,
    }));
  }

  async deleteUserSession(userId: number, sessionId: number): Promise<boolean> {
    return (await this.pool.query(Q.deleteUserSession, [sessionId, userId])).rowCount === 1;
  }

  async deleteSessionsExcept(userId: number, keepSessionId: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ id: number }>(Q.deleteSessionsExcept, [userId, keepSessionId]);
    return rows.map((row) => row.id);
  }

  async updateUserName(userId: number, change: NameChange): Promise<PublicUser | null> {
    const { rows } = await this.pool.query<UserRow>(Q.updateUserName, [
      userId,
      change.firstName,
      change.lastName,
      change.fullNameFold,
      change.lastNameFold,
    ]);
    return rows[0] ? toPublicUser(rows[0]) : null;
  }

  async updatePasswordHash(userId: number, passwordHash: string): Promise<void> {
    await this.pool.query(Q.updatePasswordHash, [userId, passwordHash]);
  }

  async deleteUser(userId: number, now: Date): Promise<number[] | null> {
    return this.transaction(async (client) => {
      const marked = await client.query(Q.markUserDeleted, [userId, now, DELETED_USER_NAME.firstName, DELETED_USER_NAME.lastName]);
      if (marked.rowCount !== 1) return null;
      const { rows } = await client.query<{ id: number }>(Q.deleteSessionsOf, [userId]);
      await client.query(Q.deleteBlocksOf, [userId]);
      const renamed = [userId, DELETED_USER_NAME.firstName, DELETED_USER_NAME.lastName, releasedUsername(userId)];
      await client.query(Q.renameNoticesOf, renamed);
      await client.query(Q.renameLastNoticesOf, renamed);
      await client.query(Q.closeDirectRoomsOf, [userId]);
      return rows.map((row) => row.id);
    });
  }

  async releaseDeletedUsernames(before: Date): Promise<number> {
    return (await this.pool.query(Q.releaseDeletedUsernames, [before])).rowCount ?? 0;
  }

  async setBlock(blockerId: number, blockedId: number, blocked: boolean, now: Date, max: number): Promise<boolean> {
    const key = directRoomKey(blockerId, blockedId);
    return this.transaction(async (client) => {
      // The blocker's row among them: two blocks by one person cannot both pass the count either.
      const { rows: pair } = await client.query<{ deleted_at: Date | null }>(Q.lockPairForBlock, [[blockerId, blockedId]]);
      let changed: boolean;
      if (blocked) {
        // Deleted meanwhile: a block on nobody could never be lifted.
        if (pair.some((user) => user.deleted_at !== null)) return false;
        const { rows } = await client.query<{ count: number }>(Q.blocksOf, [blockerId]);
        changed = (await client.query(Q.insertBlock, [blockerId, blockedId, now])).rowCount === 1;
        if (changed && rows[0]!.count >= max) throw new StoreConflictError('blocks_per_user');
      } else {
        changed = (await client.query(Q.deleteBlock, [blockerId, blockedId])).rowCount === 1;
      }
      if (changed) await client.query(Q.closeDirectRoomIfBarred, [key, blockerId, blockedId]);
      return changed;
    });
  }

  async listBlocked(userId: number): Promise<PublicUser[]> {
    const { rows } = await this.pool.query<UserRow>(Q.listBlocked, [userId]);
    return rows.map(toPublicUser);
  }

  async blockRelationsOf(userId: number): Promise<BlockRelations> {
    return this.relations(await this.pool.query<{ id: number; by_me: boolean }>(Q.blockRelationsOf, [userId]));
  }

  async blocksAmong(userId: number, otherIds: readonly number[]): Promise<BlockRelations> {
    if (otherIds.length === 0) return { blockedByMe: [], blockedMe: [] };
    return this.relations(await this.pool.query<{ id: number; by_me: boolean }>(Q.blocksAmong, [userId, otherIds]));
  }

  async directRoomIdOf(a: number, b: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ id: number }>(Q.directRoomId, [directRoomKey(a, b)]);
    return rows[0]?.id ?? null;
  }

  private relations({ rows }: { rows: { id: number; by_me: boolean }[] }): BlockRelations {
    return {
      blockedByMe: rows.filter((row) => row.by_me).map((row) => row.id),
      blockedMe: rows.filter((row) => !row.by_me).map((row) => row.id),
    };
  }

  async createGroupRoom(room: NewGroupRoom): Promise<RoomRecord> {
    let id: number;
    try {
      id = await this.transaction(async (client) => {
        if (room.creatorRoomsMax !== undefined) {
          // The creator's row lock queues that user's concurrent creations, each counting what the one before committed.
          await client.query(Q.lockUser, [room.creatorId]);
          const { rows } = await client.query<{ count: number }>(Q.groupRoomsCreatedBy, [room.creatorId]);
          if (rows[0]!.count >= room.creatorRoomsMax) throw new StoreConflictError('rooms_per_creator');
        }
        const { rows } = await client.query<{ id: number }>(Q.insertGroupRoom, [
          room.name,
          room.nameKey,
          room.nameFold,
          room.passwordHash,
          room.creatorId,
          room.createdAt,
        ]);
        const roomId = rows[0]!.id;
        await client.query(Q.insertMember, [roomId, room.creatorId, room.createdAt]);
        await client.query(Q.makeOwner, [roomId, room.creatorId]);
        return roomId;
      });
    } catch (error) {
      if (uniqueViolationOf(error) === 'room_name') throw new StoreConflictError('room_name');
      throw error;
    }
    return this.roomFor(id, room.creatorId);
  }

  async openDirectRoom(viewerId: number, peerId: number, now: Date): Promise<{ room: RoomRecord; created: boolean }> {
    const key = directRoomKey(viewerId, peerId);
    const { id, created } = await this.transaction(async (client) => {
      // A concurrent insert of the same key makes this wait for that transaction; once it commits, DO NOTHING,
      // and the SELECT (a new snapshot under READ COMMITTED) sees its room, members included.
      const inserted = await client.query<{ id: number }>(Q.insertDirectRoom, [key, viewerId, now]);
      if (inserted.rows.length === 0) {
        const existing = await client.query<{ id: number }>(Q.directRoomId, [key]);
        return { id: existing.rows[0]!.id, created: false };
      }
      const roomId = inserted.rows[0]!.id;
      await client.query(Q.insertMember, [roomId, viewerId, now]);
      await client.query(Q.insertMember, [roomId, peerId, now]);
      // A block set or an account deleted meanwhile, which found no room to close, is seen here: the pair's lock
      // orders them.
      await client.query(Q.lockPairForChat, [[viewerId, peerId]]);
      await client.query(Q.closeDirectRoomIfBarred, [key, viewerId, peerId]);
      return { id: roomId, created: true };
    });
    return { room: await this.roomFor(id, viewerId), created };
  }

  async findRoom(roomId: number, viewerId: number): Promise<RoomRecord | null> {
    const { rows } = await this.pool.query<RoomRow>(Q.roomForViewer, [viewerId, roomId]);
    return rows[0] ? toRoomRecord(rows[0]) : null;
  }

  async findRoomIdByNameKey(nameKey: string): Promise<number | null> {
    const { rows } = await this.pool.query<{ id: number }>(Q.roomIdByNameKey, [nameKey]);
    return rows[0]?.id ?? null;
  }

  async countGroupRoomsCreatedBy(userId: number): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>(Q.groupRoomsCreatedBy, [userId]);
    return rows[0]!.count;
  }

  async listMemberRoomsPage(viewerId: number, query: MemberRoomsPageQuery): Promise<RoomRecord[]> {
    const after = query.after ?? FIRST_ACTIVITY_POSITION;
    const { rows } = await this.pool.query<RoomRow>(Q.memberRoomsPage, [viewerId, after.activityMs, after.id, query.limit]);
    return rows.map(toRoomRecord);
  }

  async listMemberRooms(viewerId: number, query: MemberRoomsQuery): Promise<RoomRecord[]> {
    const { rows } = await this.pool.query<RoomRow>(Q.memberRoomsExcept, [viewerId, query.except, query.limit]);
    return rows.map(toRoomRecord);
  }

  async listJoinableRooms(viewerId: number, query: JoinableQuery): Promise<JoinablePage> {
    const from = query.namePrefix ?? '';
    const { rows } = await this.pool.query<RoomRow>(Q.joinableRooms, [
      viewerId,
      query.after?.nameFold ?? '',
      query.after?.id ?? 0,
      from,
      prefixEnd(from),
      query.limit + 1,
    ]);
    return joinablePage(rows, query.limit);
  }

  async addMember(roomId: number, userId: number, now: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(Q.insertMember, [roomId, userId, now]);
    return rowCount === 1;
  }

  async updateGroupRoom(roomId: number, changes: GroupRoomChanges): Promise<boolean> {
    try {
      return await this.transaction(async (client) => {
        let found = true;
        if (changes.name) {
          const { name, nameKey, nameFold } = changes.name;
          found = (await client.query(Q.renameRoom, [roomId, name, nameKey, nameFold])).rowCount === 1;
        }
        if (found && changes.passwordHash !== undefined) found = (await client.query(Q.setRoomPassword, [roomId, changes.passwordHash])).rowCount === 1;
        return found;
      });
    } catch (error) {
      if (uniqueViolationOf(error) === 'room_name') throw new StoreConflictError('room_name');
      throw error;
    }
  }

  async setRole(roomId: number, userId: number, role: 'moderator' | 'member'): Promise<boolean> {
    return (await this.pool.query(Q.setRole, [roomId, userId, role])).rowCount === 1;
  }

  async deleteRoom(roomId: number): Promise<boolean> {
    return (await this.pool.query(Q.deleteRoom, [roomId])).rowCount === 1;
  }

  async findBan(roomId: number, userId: number, now: Date): Promise<RoomBan | null> {
    const { rows } = await this.pool.query<{ until: Date | null }>(Q.findBan, [roomId, userId, now]);
    return rows[0] ? toRoomBan(rows[0].until) : null;
  }

  async deleteBan(roomId: number, userId: number): Promise<boolean> {
    return (await this.pool.query(Q.deleteBan, [roomId, userId])).rowCount === 1;
  }

  async listMembers(roomId: number, query: MembersPageQuery): Promise<MemberRecord[]> {
    const { after, limit } = query;
    const { rows } = await this.pool.query<MemberRow>(Q.membersPage, [
      roomId,
      after ? new Date(after.joinedAtMs) : null,
      after?.userId ?? 0,
      limit,
    ]);
    return rows.map(toMemberRecord);
  }

  async changeMembership(change: MembershipChange): Promise<MembershipChanged | null> {
    const { roomId, user, actorId, at } = change;
    return this.transaction(async (client) => {
      const room = await client.query<{ last_seq: number }>(Q.lockRoom, [roomId]);
      if (room.rowCount !== 1) return null;
      let newOwnerId: number | null = null;
      if (change.change === 'joined') {
        if ((await client.query(Q.insertMember, [roomId, user.id, at])).rowCount !== 1) return null;
        if ((await client.query(Q.ownIfOwnerless, [roomId, user.id])).rowCount === 1) newOwnerId = user.id;
      } else {
        const gone = await client.query<{ role: MemberRole }>(Q.leaveMember, [roomId, user.id]);
        if (gone.rowCount !== 1) return null;
        if (gone.rows[0]!.role === 'owner') newOwnerId = (await client.query<{ user_id: number }>(Q.handOver, [roomId])).rows[0]?.user_id ?? null;
        if (change.bannedUntil !== undefined) await client.query(Q.ban, [roomId, user.id, change.bannedUntil, actorId]);
      }
      // The room's row is locked: the seq read above, plus one, is the one appendNotice gives.
      const clientId = noticeClientId(roomId, room.rows[0]!.last_seq + 1);
      const body = noticeBody({ change: change.change, user });
      const { rows } = await client.query<MessageRow & { member_count: number }>(Q.appendNotice, [roomId, actorId, clientId, body, at]);
      const row = rows[0]!;
      return { notice: toMessage(row), memberCount: row.member_count, newOwnerId };
    });
  }

  async removeMember(roomId: number, userId: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(Q.deleteMember, [roomId, userId]);
    return rowCount === 1;
  }

  async isMember(roomId: number, userId: number): Promise<boolean> {
    return (await this.memberChecks.add({ roomId, userId })) !== null;
  }

  /** Batched as appends are: the check before every send would otherwise be a round trip of its own. */
  sendStanding(roomId: number, userId: number): Promise<SendStanding> {
    return this.memberChecks.add({ roomId, userId });
  }

  private async checkMembers(checks: readonly MemberCheck[]): Promise<Outcome<SendStanding>[]> {
    const { rows } = await this.pool.query<{ room_id: number; user_id: number; send_closed: boolean }>({
      ...Q.members,
      values: [checks.map((check) => check.roomId), checks.map((check) => check.userId)],
    });
    const found = new Map(rows.map((row) => [`${row.room_id}:${row.user_id}`, row.send_closed ? 'closed' : 'member'] as const));
    return checks.map((check) => ({ ok: true, value: found.get(`${check.roomId}:${check.userId}`) ?? null }));
  }

  async roomIdsOf(userId: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ room_id: number }>(Q.roomIdsOf, [userId]);
    return rows.map((row) => row.room_id);
  }

  async roomCountersOf(userId: number): Promise<Map<number, RoomCounters>> {
    const { rows } = await this.pool.query<{ room_id: number; last_seq: number; change_seq: number }>(Q.roomCountersOf, [userId]);
    return new Map(rows.map((row) => [row.room_id, { lastSeq: row.last_seq, changeSeq: row.change_seq }]));
  }

  async findMembership(roomId: number, userId: number): Promise<MembershipRecord | null> {
    const { rows } = await this.pool.query<MembershipRow>({ ...Q.membership, values: [roomId, userId] });
    return rows[0] ? toMembershipRecord(rows[0]) : null;
  }

  async advanceReadMarker(roomId: number, userId: number, seq: number): Promise<ReadMarkerMove | null> {
    const { rowCount } = await this.pool.query(Q.advanceReadMarker, [roomId, userId, seq]);
    if (rowCount === 1) return { lastReadSeq: seq, moved: true };
    const { rows } = await this.pool.query<{ last_read_seq: number }>(Q.readMarker, [roomId, userId]);
    return rows[0] ? { lastReadSeq: rows[0].last_read_seq, moved: false } : null;
  }

  async setMuted(roomId: number, userId: number, muted: boolean): Promise<boolean> {
    const { rowCount } = await this.pool.query(Q.setMuted, [roomId, userId, muted]);
    return rowCount === 1;
  }

  /** Queued for the next group commit (see `Batcher` and `appendMessages`). */
  appendMessage(message: NewMessage): Promise<AppendResult> {
    return this.appends.add(message);
  }

  /**
   * One statement that fails fails its whole batch, and nothing of it is stored. When the cause may be one
   * message's (a constraint such as a foreign key, a byte PostgreSQL refuses in text, a deadlock with another
   * server's batch), the batch is written again in halves, each in order, down to that message alone, so that
   * only it fails. Any other error (the connection, a timeout) fails the batch: its halves would fail alike.
   */
  private async writeAppends(messages: readonly NewMessage[]): Promise<Outcome<AppendResult>[]> {
    try {
      return await this.withRepeatsReactions(await appendMessages(this.pool, messages));
    } catch (error) {
      if (!oneMessageMayCause(error)) throw error;
      if (messages.length === 1) return [{ ok: false, error }];
      const half = Math.ceil(messages.length / 2);
      const first = await this.writeAppends(messages.slice(0, half));
      return [...first, ...(await this.writeAppends(messages.slice(half)))];
    }
  }

  /** A retry answers the message as it now is: a repeat that was reacted to meanwhile gets its reactions, as its author sees them. */
  private async withRepeatsReactions(outcomes: Outcome<AppendResult>[]): Promise<Outcome<AppendResult>[]> {
    for (const outcome of outcomes) {
      if (!outcome.ok || outcome.value.created || outcome.value.message.changeSeq === 0) continue;
      const { message } = outcome.value;
      const { rows } = await this.pool.query<ReactionRow>(Q.reactionsOf, [[message.id], message.authorId]);
      withReactions([message], rows);
    }
    return outcomes;
  }

  async listMessages(roomId: number, query: HistoryQuery, viewerId: number = 0): Promise<Message[]> {
    const { rows } = await this.pool.query<MessageRow>(Q.messagesBefore, [
      roomId,
      query.beforeSeq ?? Number.MAX_SAFE_INTEGER,
      query.limit,
    ]);
    return this.messagesFor(this.pool, rows.reverse(), viewerId);
  }

  async listMessagesAfter(roomId: number, afterSeq: number, limit: number, viewerId: number = 0): Promise<Message[]> {
    const { rows } = await this.pool.query<MessageRow>(Q.messagesAfter, [roomId, afterSeq, limit]);
    return this.messagesFor(this.pool, rows, viewerId);
  }

  async listChangedMessages(roomId: number, query: ChangesQuery, viewerId: number): Promise<Message[]> {
    const { rows } = await this.pool.query<MessageRow>(Q.changedMessages, [roomId, query.afterChangeSeq, query.maxSeq, query.limit]);
    return this.messagesFor(this.pool, rows, viewerId);
  }

  async findMessage(messageId: number, viewerId: number): Promise<Message | null> {
    return this.messageIn(this.pool, messageId, viewerId);
  }

  async editMessage(edit: MessageEditChange): Promise<MessageChanged | null> {
    return this.changeMessage(edit.messageId, async (client, row) => {
      if (row.deleted_at !== null) return null;
      const changed = row.body !== edit.body;
      if (changed) {
        const edits = (await client.query<{ count: number }>(Q.editCount, [edit.messageId])).rows[0]!.count;
        if (edits >= edit.editsMax) throw new StoreConflictError('edits_per_message');
        await client.query(Q.keepEdit, [edit.messageId, edits + 1, edit.at, row.body]);
        const changeSeq = await this.raiseChangeSeq(client, row.room_id);
        await client.query(Q.setBody, [edit.messageId, edit.body, edit.at, changeSeq]);
        await client.query(Q.setBodyCopy, [edit.messageId, row.room_id, edit.body, edit.at, changeSeq]);
      }
      return changed;
    });
  }

  async deleteMessage(messageId: number, at: Date): Promise<MessageChanged | null> {
    return this.changeMessage(messageId, async (client, row) => {
      if (row.deleted_at !== null) return false;
      const changeSeq = await this.raiseChangeSeq(client, row.room_id);
      await client.query(Q.tombstone, [messageId, at, changeSeq]);
      await client.query(Q.tombstoneCopy, [messageId, row.room_id, at, changeSeq]);
      await client.query(Q.dropEdits, [messageId]);
      await client.query(Q.dropReactions, [messageId]);
      return true;
    });
  }

  async setReaction(change: ReactionChangeRequest): Promise<MessageChanged | null> {
    const { messageId, userId, emoji } = change;
    return this.changeMessage(
      messageId,
      async (client, row) => {
        if (row.deleted_at !== null) return null;
        let changed: boolean;
        if (change.on) {
          const given = (await client.query<{ emoji: string }>(Q.emojiOf, [messageId])).rows.map((r) => r.emoji);
          if (!given.includes(emoji) && given.length >= change.emojiMax) throw new StoreConflictError('reactions_per_message');
          changed = (await client.query(Q.addReaction, [messageId, emoji, userId, change.at])).rowCount === 1;
        } else {
          changed = (await client.query(Q.removeReaction, [messageId, emoji, userId])).rowCount === 1;
        }
        if (changed) {
          const changeSeq = await this.raiseChangeSeq(client, row.room_id);
          await client.query(Q.setChangeSeq, [messageId, changeSeq]);
          await client.query(Q.setChangeSeqCopy, [messageId, row.room_id, changeSeq]);
        }
        return changed;
      },
      userId,
    );
  }

  async listEdits(messageId: number): Promise<MessageEdit[]> {
    const { rows } = await this.pool.query<{ body: string; replaced_at: Date }>(Q.edits, [messageId]);
    return rows.map((row) => ({ body: row.body, replacedAt: row.replaced_at.toISOString() }));
  }

  /**
   * Runs one change of a message in a transaction that first locks its room's row, as every change of the room's
   * messages and every append to it does: changes of one room are one after another, and each takes the next
   * `change_seq`. `change` says whether it changed anything (null: it refuses). The message is answered as
   * `viewerId` sees it, its author by default.
   */
  private async changeMessage(
    messageId: number,
    change: (client: pg.PoolClient, row: { room_id: number; body: string; deleted_at: Date | null }) => Promise<boolean | null>,
    viewerId?: number,
  ): Promise<MessageChanged | null> {
    return this.transaction(async (client) => {
      const found = await client.query<{ room_id: number }>(Q.messageRoom, [messageId]);
      if (found.rowCount !== 1) return null;
      if ((await client.query(Q.lockRoom, [found.rows[0]!.room_id])).rowCount !== 1) return null;
      const row = (await client.query<{ room_id: number; body: string; deleted_at: Date | null }>(Q.changedRow, [messageId])).rows[0];
      if (!row) return null;
      const changed = await change(client, row);
      if (changed === null) return null;
      const { rows } = await client.query<MessageRow>(Q.messageById, [messageId]);
      const message = (await this.messagesFor(client, rows, viewerId ?? rows[0]!.author_id))[0]!;
      return { message, changed };
    });
  }

  private async raiseChangeSeq(client: pg.PoolClient, roomId: number): Promise<number> {
    return (await client.query<{ change_seq: number }>(Q.raiseChangeSeq, [roomId])).rows[0]!.change_seq;
  }

  private async messageIn(db: pg.Pool | pg.PoolClient, messageId: number, viewerId: number): Promise<Message | null> {
    const { rows } = await db.query<MessageRow>(Q.messageById, [messageId]);
    return rows.length === 0 ? null : (await this.messagesFor(db, rows, viewerId))[0]!;
  }

  /** Messages from their rows, with their reactions as `viewerId` sees them: one more query, only when one of them changed. */
  private async messagesFor(db: pg.Pool | pg.PoolClient, rows: readonly MessageRow[], viewerId: number): Promise<Message[]> {
    const messages = rows.map(toMessage);
    const ids = reactable(messages);
    if (ids.length === 0) return messages;
    const reactions = await db.query<ReactionRow>(Q.reactionsOf, [ids, viewerId]);
    return withReactions(messages, reactions.rows);
  }

  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }

  private async roomFor(roomId: number, viewerId: number): Promise<RoomRecord> {
    const { rows } = await this.pool.query<RoomRow>(Q.roomForViewer, [viewerId, roomId]);
    return toRoomRecord(rows[0]!);
  }

  /** Runs `work` in one transaction on one connection: committed when it returns, rolled back when it throws. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        // The connection is in an unknown state: have the pool throw it away rather than reuse it.
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
