import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { MemberRole, Message, MessageEdit, PublicUser } from '@parley/protocol';
import { namePrefixShape, prefixEnd, type NamePrefixShape } from '../name-keys.js';
import {
  LAST_MESSAGE_JOIN,
  MESSAGE_JOINS,
  lastMessageColumns,
  messageColumns,
  reactable,
  withReactions,
  type ReactionRow,
  ROOM_ROW_COLUMNS,
  joinablePage,
  noticeBody,
  noticeClientId,
  roomRowOf,
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
  type RoomValues,
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
import { sqliteMigrations } from './migrations.js';
import { isoTime } from '../iso-time.js';


/**
 * The columns of a room as seen by `@viewer`: member count, the viewer's membership (read marker, unread count, mute, role) and,
 * for a member, the last message; for a direct room, the other member and their read marker. Every join is
 * on a key: `rooms:list` answers in one query however many rooms the viewer is in.
 */
const ROOM_COLUMNS = `
  r.id, r.kind, r.name, r.name_fold, r.password_hash, r.last_seq, r.last_activity_at, r.created_at,
  (SELECT count(*) FROM members m WHERE m.room_id = r.id) AS member_count,
  me.user_id IS NOT NULL AS joined,
  coalesce(me.last_read_seq, 0) AS last_read_seq,
  CASE WHEN me.user_id IS NULL THEN 0 ELSE r.last_seq - me.last_read_seq END AS unread,
  coalesce(me.muted, 0) AS muted,
  p.id AS peer_id, p.username AS peer_username, p.first_name AS peer_first_name, p.last_name AS peer_last_name,
  pm.last_read_seq AS peer_last_read_seq, ${lastMessageColumns()},
  me.role, r.change_seq`;

/** What ROOM_COLUMNS joins to `r` and the viewer's membership `me`. */
const ROOM_JOINS = `
  LEFT JOIN members pm ON r.kind = 'direct' AND pm.room_id = r.id
    AND pm.user_id = (SELECT m.user_id FROM members m WHERE m.room_id = r.id AND m.user_id <> @viewer LIMIT 1)
  LEFT JOIN users p ON p.id = pm.user_id
  ${LAST_MESSAGE_JOIN}`;

const ROOM_SELECT = `
  SELECT ${ROOM_COLUMNS}
  FROM rooms r LEFT JOIN members me ON me.room_id = r.id AND me.user_id = @viewer
  ${ROOM_JOINS}`;

/** A group room `@viewer` is not in, after (`@afterFold`, `@afterId`), whose folded name sorts from `@from` on. */
const JOINABLE = `
  r.kind = 'group' AND (r.name_fold, r.id) > (@afterFold, @afterId) AND r.name_fold >= @from
  AND NOT EXISTS (SELECT 1 FROM members m WHERE m.room_id = r.id AND m.user_id = @viewer)`;

interface JoinableParams {
  viewer: number;
  afterFold: string;
  afterId: number;
  from: string;
  limit: number;
}

interface UsersMatchingParams {
  from: string;
  /** The end of the prefix's range; an empty blob, which sorts after every text in SQLite, when nothing does. */
  to: string | Buffer;
  after: string;
  limit: number;
}

/**
 * A page of the people after `@after` whose username key, whole name fold or last name fold starts with `@from`:
 * the first `@limit` of each key by username key, merged; then their rows by key. The username key's range is in
 * username order already. A name fold is read by its first one to three letters (the index on them is in username
 * order within each), or by its range, every match sorted: `+` keeps SQLite from walking the username index in order
 * instead, filtering as it goes, which reads most of it when the names matched are all far along (usernames are
 * often made of names).
 */
function usersMatching(shape: NamePrefixShape): string {
  const byName = (fold: string) =>
    shape === 'range'
      ? `${fold} >= @from AND ${fold} < @to AND username_key > @after ORDER BY +username_key`
      : `substr(${fold}, 1, ${shape}) = @from AND username_key > @after ORDER BY username_key`;
  const arm = (where: string) => `SELECT * FROM (SELECT username_key FROM users WHERE deleted_at IS NULL AND ${where} LIMIT @limit)`;
  return `
    WITH page AS (
      ${arm('username_key >= @from AND username_key < @to AND username_key > @after ORDER BY username_key')}
      UNION ${arm(byName('full_name_fold'))} UNION ${arm(byName('last_name_fold'))}
      ORDER BY 1 LIMIT @limit
    )
    SELECT u.* FROM page JOIN users u ON u.username_key = page.username_key ORDER BY u.username_key`;
}

/** Block rows, `by_me` 1 for a block the user set and 0 for one set on them, as two lists. */
function relations(rows: { id: number; by_me: number }[]): BlockRelations {
  return {
    blockedByMe: rows.filter((row) => row.by_me === 1).map((row) => row.id),
    blockedMe: rows.filter((row) => row.by_me === 0).map((row) => row.id),
  };
}

const MESSAGE_SELECT = `SELECT ${messageColumns()} FROM messages m ${MESSAGE_JOINS}`;

/** What a change to a message needs of it, read in its transaction. */
interface ChangedRow {
  room_id: number;
  body: string;
  deleted_at: number | null;
}

/** A statement of room rows read as arrays (see ROOM_ROW_COLUMNS); fails at start should its columns drift from that list. */
function roomStatement<P extends object>(db: Database.Database, sql: string): Database.Statement<[P], RoomValues> {
  const statement = db.prepare<[P], RoomValues>(sql);
  const names = statement.columns().map((column) => column.name);
  if (names.join() !== ROOM_ROW_COLUMNS.join()) throw new Error(`room columns out of order: ${names.join()}`);
  return statement.raw();
}

const toRoom = (values: RoomValues): RoomRecord => toRoomRecord(roomRowOf(values));

function isUniqueViolation(error: unknown, column: string): boolean {
  return (
    error instanceof Database.SqliteError &&
    error.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes(column)
  );
}

export interface SqliteStoreOptions {
  /**
   * Run after each group commit of `appendMessage`, before its calls resolve (on the writer thread: see
   * `writer-thread.ts`, which slows every commit with it when `PARLEY_TEST_SYNC_DELAY_MS` is set).
   */
  afterGroupCommit?: () => void;
}

/** Opens (creating when missing) the database file, applies pending migrations, and returns the store. */
export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteStore {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = openConnection(file);
  migrate(db);
  return new SqliteStore(db, options);
}

/**
 * A second connection to a database that `openSqliteStore` has opened and migrated, for reading only: any
 * write through it fails (`query_only`), so that every write goes through the one connection that owns them.
 */
export function openSqliteReader(file: string): Database.Database {
  const db = openConnection(file);
  db.pragma('query_only = ON');
  return db;
}

function openConnection(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL syncs the WAL on every commit: an acknowledged message survives a crash of the machine, not only of the process.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Several processes may share the file (a CLI, a second server); wait for a lock instead of failing at once.
  db.pragma('busy_timeout = 5000');
  return db;
}

function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[],
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of sqliteMigrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      migration.run?.(db);
      record.run(migration.version, migration.name, Date.now());
    }).immediate();
  }
}

/** The id a new room takes: above every room's, and above every deleted room's (migration 10). */
const NEXT_ROOM_ID = '(SELECT max(coalesce((SELECT max(id) FROM rooms), 0), (SELECT id FROM room_id_floor)) + 1)';

export class SqliteStore implements Store {
  private readonly q;

  private appends: { message: NewMessage; resolve: (result: AppendResult) => void; reject: (error: unknown) => void }[] = [];
  private readonly appendOne: (message: NewMessage) => AppendResult;
  private readonly changeMembershipNow: (change: MembershipChange) => MembershipChanged | null;

  constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteStoreOptions = {},
  ) {
    this.q = {
      insertUser: db.prepare<[string, string, string, string, string, string, string, number], UserRow>(
        `INSERT INTO users (username, username_key, first_name, last_name, full_name_fold, last_name_fold, password_hash, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ),
      userById: db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?'),
      userByKey: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username_key = ?'),
      usersPage: db.prepare<{ after: string; limit: number }, UserRow>(
        'SELECT * FROM users WHERE username_key > @after AND deleted_at IS NULL ORDER BY username_key LIMIT @limit',
      ),
      usersPageMatching: {
        1: db.prepare<UsersMatchingParams, UserRow>(usersMatching(1)),
        2: db.prepare<UsersMatchingParams, UserRow>(usersMatching(2)),
        3: db.prepare<UsersMatchingParams, UserRow>(usersMatching(3)),
        range: db.prepare<UsersMatchingParams, UserRow>(usersMatching('range')),
      },
      insertSession: db.prepare<[string, number, number, number, string, string, number]>(
        `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, user_agent, address, last_used_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      sessionByHash: db.prepare<[string, number], { session_id: number; expires_at: number; last_used_at: number } & UserRow>(
        `SELECT s.id AS session_id, s.expires_at, s.last_used_at, u.* FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ? AND u.deleted_at IS NULL`,
      ),
      deleteSession: db.prepare<[string], { id: number }>('DELETE FROM sessions WHERE token_hash = ? RETURNING id'),
      touchSession: db.prepare<[number, number]>('UPDATE sessions SET last_used_at = ? WHERE id = ?'),
      listSessions: db.prepare<[number, number], { id: number; created_at: number; last_used_at: number; user_agent: string; address: string }>(
        `SELECT id, created_at, last_used_at, user_agent, address FROM sessions
         WHERE user_id = ? AND expires_at > ? ORDER BY id DESC`,
      ),
      deleteUserSession: db.prepare<[number, number]>('DELETE FROM sessions WHERE id = ? AND user_id = ?'),
      deleteSessionsExcept: db.prepare<[number, number], { id: number }>('DELETE FROM sessions WHERE user_id = ? AND id <> ? RETURNING id'),
      updateUserName: db.prepare<[string, string, string, string, number], UserRow>(
        `UPDATE users SET first_name = ?, last_name = ?, full_name_fold = ?, last_name_fold = ?
         WHERE id = ? AND deleted_at IS NULL RETURNING *`,
      ),
      updatePasswordHash: db.prepare<[string, number]>('UPDATE users SET password_hash = ? WHERE id = ?'),
      markUserDeleted: db.prepare<[string, string, number, number]>(
        `UPDATE users SET first_name = ?, last_name = ?, full_name_fold = '', last_name_fold = '', password_hash = '',
           deleted_at = ?
         WHERE id = ? AND deleted_at IS NULL`,
      ),
      deleteSessionsOf: db.prepare<[number], { id: number }>('DELETE FROM sessions WHERE user_id = ? RETURNING id'),
      deleteBlocksOf: db.prepare<[number, number]>('DELETE FROM user_blocks WHERE blocker_id = ? OR blocked_id = ?'),
      // The notices of their own joining and leaving (theirs by author: the index on author and clientId finds them),
      // and the copy of one that is a room's last message. A notice of their removal, by someone else, keeps the name.
      renameNoticesOf: db.prepare<{ user: number; first: string; last: string; username: string }>(
        `UPDATE messages SET body = json_set(body, '$.user.firstName', @first, '$.user.lastName', @last, '$.user.username', @username)
         WHERE author_id = @user AND client_id >= 'notice.' AND client_id < 'notice/'`,
      ),
      renameLastNoticesOf: db.prepare<{ user: number; first: string; last: string; username: string }>(
        `UPDATE rooms SET last_message_body =
           json_set(last_message_body, '$.user.firstName', @first, '$.user.lastName', @last, '$.user.username', @username)
         WHERE last_message_author_id = @user AND last_message_client_id >= 'notice.' AND last_message_client_id < 'notice/'`,
      ),
      closeDirectRoomsOf: db.prepare<[number]>(
        `UPDATE members SET send_closed = 1
         WHERE room_id IN (SELECT m.room_id FROM members m JOIN rooms r ON r.id = m.room_id AND r.kind = 'direct' WHERE m.user_id = ?)`,
      ),
      releaseDeletedUsernames: db.prepare<[number]>(
        `UPDATE users SET username = '~' || id, username_key = '~' || id WHERE deleted_at < ? AND username_key NOT LIKE '~%'`,
      ),
      blocksOf: db.prepare<[number], number>('SELECT count(*) FROM user_blocks WHERE blocker_id = ?').pluck(),
      insertBlock: db.prepare<[number, number, number]>(
        'INSERT INTO user_blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      deleteBlock: db.prepare<[number, number]>('DELETE FROM user_blocks WHERE blocker_id = ? AND blocked_id = ?'),
      // Closed to sending while a block stands either way, or while either of the two is deleted.
      closeDirectRoomIfBarred: db.prepare<{ key: string; a: number; b: number }>(
        `UPDATE members SET send_closed =
           EXISTS (SELECT 1 FROM user_blocks WHERE (blocker_id = @a AND blocked_id = @b) OR (blocker_id = @b AND blocked_id = @a))
           OR EXISTS (SELECT 1 FROM users WHERE id IN (@a, @b) AND deleted_at IS NOT NULL)
         WHERE room_id = (SELECT id FROM rooms WHERE direct_key = @key)`,
      ),
      listBlocked: db.prepare<[number], UserRow>(
        `SELECT u.* FROM user_blocks b JOIN users u ON u.id = b.blocked_id
         WHERE b.blocker_id = ? ORDER BY b.created_at DESC, b.blocked_id DESC`,
      ),
      blockRelationsOf: db.prepare<[number, number], { id: number; by_me: number }>(
        `SELECT blocked_id AS id, 1 AS by_me FROM user_blocks WHERE blocker_id = ?
         UNION ALL SELECT blocker_id, 0 FROM user_blocks WHERE blocked_id = ?`,
      ),
      // The ids as a JSON array: one statement, whatever their number.
      blocksAmong: db.prepare<{ user: number; others: string }, { id: number; by_me: number }>(
        `SELECT blocked_id AS id, 1 AS by_me FROM user_blocks
         WHERE blocker_id = @user AND blocked_id IN (SELECT value FROM json_each(@others))
         UNION ALL SELECT blocker_id, 0 FROM user_blocks
         WHERE blocked_id = @user AND blocker_id IN (SELECT value FROM json_each(@others))`,
      ),
      deleteExpiredSessions: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),
      deleteSessionsBeyond: db.prepare<[number, number, number], { id: number }>(
        `DELETE FROM sessions WHERE user_id = ? AND id NOT IN
           (SELECT id FROM sessions WHERE user_id = ? ORDER BY id DESC LIMIT ?)
         RETURNING id`,
      ),
      // A new room's id is above every room's, deleted ones' too (migration 10).
      insertGroupRoom: db.prepare<[string, string, string, string | null, number, number, number], { id: number }>(
        `INSERT INTO rooms (id, kind, name, name_key, name_fold, password_hash, created_by, last_activity_at, created_at)
         VALUES (${NEXT_ROOM_ID}, 'group', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      ),
      insertDirectRoom: db.prepare<[string, number, number, number], { id: number }>(
        `INSERT INTO rooms (id, kind, direct_key, created_by, last_activity_at, created_at)
         VALUES (${NEXT_ROOM_ID}, 'direct', ?, ?, ?, ?) ON CONFLICT (direct_key) DO NOTHING RETURNING id`,
      ),
      directRoomId: db.prepare<[string], number>('SELECT id FROM rooms WHERE direct_key = ?').pluck(),
      roomForViewer: roomStatement<{ viewer: number; room: number }>(db, `${ROOM_SELECT} WHERE r.id = @room`),
      roomIdByNameKey: db.prepare<[string], number>('SELECT id FROM rooms WHERE name_key = ?').pluck(),
      groupRoomsCreatedBy: db
        .prepare<[number], number>("SELECT count(*) FROM rooms WHERE created_by = ? AND kind = 'group'")
        .pluck(),
      // Starts from the viewer's memberships (the index members_user_id), each joined to its room by key, and
      // picks the page by activity alone: the columns of ROOM_COLUMNS (member count, peer, last message) are
      // read for the page's rooms only, not for every room sorted.
      memberRoomsPage: roomStatement<{ viewer: number; afterMs: number; afterId: number; limit: number }>(
        db,
        `WITH page AS (
           SELECT r.id FROM members me JOIN rooms r ON r.id = me.room_id
           WHERE me.user_id = @viewer AND (r.last_activity_at, r.id) < (@afterMs, @afterId)
           ORDER BY r.last_activity_at DESC, r.id DESC LIMIT @limit
         )
         SELECT ${ROOM_COLUMNS}
         FROM page JOIN rooms r ON r.id = page.id JOIN members me ON me.room_id = r.id AND me.user_id = @viewer
         ${ROOM_JOINS}
         ORDER BY r.last_activity_at DESC, r.id DESC`,
      ),
      // The same, but for the rooms in @except (a JSON array of ids), and no more than @limit.
      memberRoomsExcept: roomStatement<{ viewer: number; except: string; limit: number }>(
        db,
        `SELECT ${ROOM_COLUMNS} FROM members me JOIN rooms r ON r.id = me.room_id ${ROOM_JOINS}
         WHERE me.user_id = @viewer AND me.room_id NOT IN (SELECT value FROM json_each(@except))
         ORDER BY r.last_activity_at DESC, r.id DESC LIMIT @limit`,
      ),
      // Walks the index rooms_joinable from the cursor (or the prefix) on, skipping the viewer's own rooms.
      joinableRooms: roomStatement<JoinableParams>(
        db,
        `${ROOM_SELECT} WHERE ${JOINABLE} ORDER BY r.name_fold, r.id LIMIT @limit`,
      ),
      joinableRoomsBefore: roomStatement<JoinableParams & { to: string }>(
        db,
        `${ROOM_SELECT} WHERE ${JOINABLE} AND r.name_fold < @to ORDER BY r.name_fold, r.id LIMIT @limit`,
      ),
      // A new member has read what came before them.
      insertMember: db.prepare<{ room: number; user: number; at: number }>(
        `INSERT INTO members (room_id, user_id, joined_at, last_read_seq)
         SELECT @room, @user, @at, last_seq FROM rooms WHERE id = @room ON CONFLICT DO NOTHING`,
      ),
      deleteMember: db.prepare<[number, number]>('DELETE FROM members WHERE room_id = ? AND user_id = ?'),
      leaveMember: db.prepare<[number, number], { role: MemberRole }>('DELETE FROM members WHERE room_id = ? AND user_id = ? RETURNING role'),
      // The longest-standing moderator, else member, takes over an owner's room.
      handOver: db
        .prepare<[number, number], number>(
          `UPDATE members SET role = 'owner' WHERE room_id = ? AND user_id = (
             SELECT user_id FROM members WHERE room_id = ? ORDER BY role = 'moderator' DESC, joined_at, user_id LIMIT 1
           ) RETURNING user_id`,
        )
        .pluck(),
      // The first to join a group room that everyone left owns it.
      ownIfOwnerless: db.prepare<[number, number, number]>(
        `UPDATE members SET role = 'owner' WHERE room_id = ? AND user_id = ?
           AND NOT EXISTS (SELECT 1 FROM members WHERE room_id = ? AND role = 'owner')
           AND (SELECT kind FROM rooms WHERE id = room_id) = 'group'`,
      ),
      ban: db.prepare<{ room: number; user: number; until: number | null; by: number }>(
        `INSERT INTO room_bans (room_id, user_id, until, banned_by) VALUES (@room, @user, @until, @by)
         ON CONFLICT (room_id, user_id) DO UPDATE SET until = excluded.until, banned_by = excluded.banned_by`,
      ),
      findBan: db
        .prepare<[number, number, number], number | null>('SELECT until FROM room_bans WHERE room_id = ? AND user_id = ? AND (until IS NULL OR until > ?)')
        .pluck(),
      deleteBan: db.prepare<[number, number]>('DELETE FROM room_bans WHERE room_id = ? AND user_id = ?'),
      renameRoom: db.prepare<[string, string, string, number]>(
        "UPDATE rooms SET name = ?, name_key = ?, name_fold = ? WHERE id = ? AND kind = 'group'",
      ),
      setRoomPassword: db.prepare<[string | null, number]>("UPDATE rooms SET password_hash = ? WHERE id = ? AND kind = 'group'"),
      setRole: db.prepare<[string, number, number, string]>(
        "UPDATE members SET role = ? WHERE room_id = ? AND user_id = ? AND role NOT IN ('owner', ?)",
      ),
      deleteRoom: db.prepare<[number]>('DELETE FROM rooms WHERE id = ?'),
      raiseRoomIdFloor: db.prepare<[number]>('UPDATE room_id_floor SET id = max(id, ?)'),
      makeOwner: db.prepare<[number, number]>("UPDATE members SET role = 'owner' WHERE room_id = ? AND user_id = ?"),
      // Walks the index members_room_joined from the position on.
      membersPage: db.prepare<{ room: number; afterAt: number; afterId: number; limit: number }, MemberRow>(
        `SELECT u.id, u.username, u.first_name, u.last_name, m.role, m.joined_at
         FROM members m JOIN users u ON u.id = m.user_id
         WHERE m.room_id = @room AND (m.joined_at, m.user_id) > (@afterAt, @afterId)
         ORDER BY m.joined_at, m.user_id LIMIT @limit`,
      ),
      isMember: db.prepare<[number, number], number>('SELECT 1 FROM members WHERE room_id = ? AND user_id = ?').pluck(),
      sendClosed: db.prepare<[number, number], number>('SELECT send_closed FROM members WHERE room_id = ? AND user_id = ?').pluck(),
      memberCount: db.prepare<[number], number>('SELECT count(*) FROM members WHERE room_id = ?').pluck(),
      lastSeq: db.prepare<[number], number>('SELECT last_seq FROM rooms WHERE id = ?').pluck(),
      roomIdsOf: db.prepare<[number], number>('SELECT room_id FROM members WHERE user_id = ?').pluck(),
      roomCountersOf: db
        .prepare<[number], [number, number, number]>(
          'SELECT m.room_id, r.last_seq, r.change_seq FROM members m JOIN rooms r ON r.id = m.room_id WHERE m.user_id = ?',
        )
        .raw(),
      membership: db.prepare<[number, number], MembershipRow>(
        `SELECT r.kind, r.last_seq, me.user_id IS NOT NULL AS member,
                coalesce(me.last_read_seq, 0) AS last_read_seq, coalesce(me.muted, 0) AS muted, me.role
         FROM rooms r LEFT JOIN members me ON me.room_id = r.id AND me.user_id = ? WHERE r.id = ?`,
      ),
      advanceReadMarker: db.prepare<[number, number, number, number]>(
        'UPDATE members SET last_read_seq = ? WHERE room_id = ? AND user_id = ? AND last_read_seq < ?',
      ),
      readMarker: db
        .prepare<[number, number], number>('SELECT last_read_seq FROM members WHERE room_id = ? AND user_id = ?')
        .pluck(),
      setMuted: db.prepare<[number, number, number, number]>(
        'UPDATE members SET muted = ? WHERE room_id = ? AND user_id = ? AND muted <> ?',
      ),
      // The author has read their own message: so none of a member's messages is ever after their marker.
      authorHasRead: db.prepare<[number, number, number]>(
        'UPDATE members SET last_read_seq = max(last_read_seq, ?) WHERE room_id = ? AND user_id = ?',
      ),
      messageByClientId: db.prepare<[number, string], MessageRow>(
        `${MESSAGE_SELECT} WHERE m.author_id = ? AND m.client_id = ?`,
      ),
      messageById: db.prepare<[number], MessageRow>(`${MESSAGE_SELECT} WHERE m.id = ?`),
      // Also keeps the copy of the room's last message (migration 5) in the same write. The message's id is
      // the one SQLite would give it (max + 1; no AUTOINCREMENT), taken here so that the copy needs no second UPDATE.
      nextSeq: db.prepare<
        { room: number; author: number; clientId: string; body: string; at: number },
        { last_seq: number; last_message_id: number }
      >(
        `UPDATE rooms SET last_seq = last_seq + 1, last_activity_at = @at,
           last_message_id = (SELECT coalesce(max(id), 0) + 1 FROM messages), last_message_author_id = @author,
           last_message_client_id = @clientId, last_message_body = @body, last_message_created_at = @at,
           last_message_edited_at = NULL, last_message_deleted_at = NULL, last_message_change_seq = 0
         WHERE id = @room RETURNING last_seq, last_message_id`,
      ),
      insertMessage: db.prepare<[number, number, number, number, string, string, number, number | null]>(
        `INSERT INTO messages (id, room_id, seq, author_id, client_id, body, created_at, reply_to_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      // The changed ones only: the partial index messages_changes holds them.
      changedMessages: db.prepare<[number, number, number, number], MessageRow>(
        `${MESSAGE_SELECT} WHERE m.room_id = ? AND m.change_seq > 0 AND m.change_seq > ? AND m.seq <= ? ORDER BY m.change_seq LIMIT ?`,
      ),
      reactionsOf: db.prepare<{ ids: string; viewer: number }, ReactionRow>(
        `SELECT message_id, emoji, count(*) AS count, max(user_id = @viewer) AS me
         FROM message_reactions WHERE message_id IN (SELECT value FROM json_each(@ids))
         GROUP BY message_id, emoji ORDER BY message_id, min(created_at), emoji`,
      ),
      changedRow: db.prepare<[number], ChangedRow>('SELECT room_id, body, deleted_at FROM messages WHERE id = ?'),
      raiseChangeSeq: db.prepare<[number], number>('UPDATE rooms SET change_seq = change_seq + 1 WHERE id = ? RETURNING change_seq').pluck(),
      editCount: db.prepare<[number], number>('SELECT count(*) FROM message_edits WHERE message_id = ?').pluck(),
      keepEdit: db.prepare<[number, number, number, string]>(
        'INSERT INTO message_edits (message_id, n, replaced_at, body) VALUES (?, ?, ?, ?)',
      ),
      setBody: db.prepare<{ id: number; body: string; at: number; changeSeq: number }>(
        'UPDATE messages SET body = @body, edited_at = @at, change_seq = @changeSeq WHERE id = @id',
      ),
      setBodyCopy: db.prepare<{ id: number; room: number; body: string; at: number; changeSeq: number }>(
        `UPDATE rooms SET last_message_body = @body, last_message_edited_at = @at, last_message_change_seq = @changeSeq
         WHERE id = @room AND last_message_id = @id`,
      ),
      tombstone: db.prepare<{ id: number; at: number; changeSeq: number }>(
        "UPDATE messages SET body = '', deleted_at = @at, change_seq = @changeSeq, reply_to_id = NULL WHERE id = @id",
      ),
      tombstoneCopy: db.prepare<{ id: number; room: number; at: number; changeSeq: number }>(
        `UPDATE rooms SET last_message_body = '', last_message_deleted_at = @at, last_message_change_seq = @changeSeq
         WHERE id = @room AND last_message_id = @id`,
      ),
      dropEdits: db.prepare<[number]>('DELETE FROM message_edits WHERE message_id = ?'),
      dropReactions: db.prepare<[number]>('DELETE FROM message_reactions WHERE message_id = ?'),
      setChangeSeq: db.prepare<[number, number]>('UPDATE messages SET change_seq = ? WHERE id = ?'),
      setChangeSeqCopy: db.prepare<[number, number, number]>(
        'UPDATE rooms SET last_message_change_seq = ? WHERE id = ? AND last_message_id = ?',
      ),
      addReaction: db.prepare<[number, string, number, number]>(
        'INSERT INTO message_reactions (message_id, emoji, user_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      removeReaction: db.prepare<[number, string, number]>(
        'DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?',
      ),
      emojiOf: db.prepare<[number], string>('SELECT DISTINCT emoji FROM message_reactions WHERE message_id = ?').pluck(),
      edits: db.prepare<[number], { body: string; replaced_at: number }>(
        'SELECT body, replaced_at FROM message_edits WHERE message_id = ? ORDER BY n',
      ),
      messagesBefore: db.prepare<[number, number, number], MessageRow>(
        `${MESSAGE_SELECT} WHERE m.room_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`,
      ),
      messagesAfter: db.prepare<[number, number, number], MessageRow>(
        `${MESSAGE_SELECT} WHERE m.room_id = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`,
      ),
    };
    this.appendOne = db.transaction((message: NewMessage): AppendResult => {
      const at = message.createdAt.getTime();
      const existing = this.q.messageByClientId.get(message.authorId, message.clientId);
      // A retry answers the message as it now is, reactions and all.
      if (existing) return { message: this.messagesFor([existing], message.authorId)[0]!, created: false };
      const next = this.q.nextSeq.get({
        room: message.roomId,
        author: message.authorId,
        clientId: message.clientId,
        body: message.body,
        at,
      });
      if (next === undefined) throw new Error(`room ${message.roomId} does not exist`);
      const { last_seq: seq, last_message_id: id } = next;
      this.q.insertMessage.run(id, message.roomId, seq, message.authorId, message.clientId, message.body, at, message.replyToId ?? null);
      this.q.authorHasRead.run(seq, message.roomId, message.authorId);
      return { message: toMessage(this.q.messageById.get(id)!), created: true };
    });
    this.changeMembershipNow = db.transaction((change: MembershipChange): MembershipChanged | null => {
      const { roomId, user, actorId } = change;
      const at = change.at.getTime();
      let newOwnerId: number | null = null;
      if (change.change === 'joined') {
        if (this.q.insertMember.run({ room: roomId, user: user.id, at }).changes !== 1) return null;
        if (this.q.ownIfOwnerless.run(roomId, user.id, roomId).changes === 1) newOwnerId = user.id;
      } else {
        const gone = this.q.leaveMember.get(roomId, user.id);
        if (!gone) return null;
        if (gone.role === 'owner') newOwnerId = this.q.handOver.get(roomId, roomId) ?? null;
        if (change.bannedUntil !== undefined) {
          this.q.ban.run({ room: roomId, user: user.id, until: change.bannedUntil?.getTime() ?? null, by: actorId });
        }
      }
      // The writer is the only connection that writes: the seq read here is the one the UPDATE below gives.
      const clientId = noticeClientId(roomId, this.q.lastSeq.get(roomId)! + 1);
      const body = noticeBody({ change: change.change, user });
      const { last_seq: seq, last_message_id: id } = this.q.nextSeq.get({ room: roomId, author: actorId, clientId, body, at })!;
      this.q.insertMessage.run(id, roomId, seq, actorId, clientId, body, at, null);
      this.q.authorHasRead.run(seq, roomId, actorId);
      return { notice: toMessage(this.q.messageById.get(id)!), memberCount: this.q.memberCount.get(roomId)!, newOwnerId };
    });
  }

  async createUser(user: NewUser): Promise<UserRecord> {
    try {
      const row = this.q.insertUser.get(
        user.username,
        user.usernameKey,
        user.firstName,
        user.lastName,
        user.fullNameFold,
        user.lastNameFold,
        user.passwordHash,
        user.createdAt.getTime(),
      )!;
      return toUserRecord(row);
    } catch (error) {
      if (isUniqueViolation(error, 'users.username_key')) throw new StoreConflictError('username');
      throw error;
    }
  }

  async findUserById(id: number): Promise<UserRecord | null> {
    const row = this.q.userById.get(id);
    return row ? toUserRecord(row) : null;
  }

  async findUserByUsernameKey(usernameKey: string): Promise<UserRecord | null> {
    const row = this.q.userByKey.get(usernameKey);
    return row ? toUserRecord(row) : null;
  }

  async listUsersPage(query: UsersPageQuery): Promise<PublicUser[]> {
    const after = query.afterKey ?? '';
    if (!query.prefix) return this.q.usersPage.all({ after, limit: query.limit }).map(toPublicUser);
    const params = { from: query.prefix, to: prefixEnd(query.prefix) ?? Buffer.alloc(0), after, limit: query.limit };
    return this.q.usersPageMatching[namePrefixShape(query.prefix)].all(params).map(toPublicUser);
  }

  async createSession(session: NewSession): Promise<void> {
    this.q.insertSession.run(
      session.tokenHash,
      session.userId,
      session.createdAt.getTime(),
      session.expiresAt.getTime(),
      session.userAgent,
      session.address,
      session.createdAt.getTime(),
    );
  }

  async findSession(tokenHash: string, now: Date): Promise<SessionRecord | null> {
    const row = this.q.sessionByHash.get(tokenHash, now.getTime());
    if (!row) return null;
    return {
      id: row.session_id,
      userId: row.id,
      expiresAt: new Date(row.expires_at),
      lastUsedAt: new Date(row.last_used_at),
      user: toPublicUser(row),
    };
  }

  async deleteSession(tokenHash: string): Promise<number | null> {
    return this.q.deleteSession.get(tokenHash)?.id ?? null;
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    return this.q.deleteExpiredSessions.run(now.getTime()).changes;
  }

  async deleteSessionsBeyond(userId: number, keep: number): Promise<number[]> {
    return this.q.deleteSessionsBeyond.all(userId, userId, keep).map((row) => row.id);
  }

  async touchSession(sessionId: number, at: Date): Promise<void> {
    this.q.touchSession.run(at.getTime(), sessionId);
  }

  async listSessions(userId: number, now: Date): Promise<SessionListing[]> {
    return this.q.listSessions.all(userId, now.getTime()).map((row) => ({
      id: row.id,
      createdAt: new Date(row.created_at),
      lastUsedAt: new Date(row.last_used_at),
      userAgent: row.user_agent,
      address: row.address,
    }));
  }

  async deleteUserSession(userId: number, sessionId: number): Promise<boolean> {
    return this.q.deleteUserSession.run(sessionId, userId).changes === 1;
  }

  async deleteSessionsExcept(userId: number, keepSessionId: number): Promise<number[]> {
    return this.q.deleteSessionsExcept.all(userId, keepSessionId).map((row) => row.id);
  }

  async updateUserName(userId: number, change: NameChange): Promise<PublicUser | null> {
    const row = this.q.updateUserName.get(change.firstName, change.lastName, change.fullNameFold, change.lastNameFold, userId);
    return row ? toPublicUser(row) : null;
  }

  async updatePasswordHash(userId: number, passwordHash: string): Promise<void> {
    this.q.updatePasswordHash.run(passwordHash, userId);
  }

  async deleteUser(userId: number, now: Date): Promise<number[] | null> {
    return this.db
      .transaction(() => {
        const { firstName, lastName } = DELETED_USER_NAME;
        if (this.q.markUserDeleted.run(firstName, lastName, now.getTime(), userId).changes !== 1) return null;
        const sessionIds = this.q.deleteSessionsOf.all(userId).map((row) => row.id);
        this.q.deleteBlocksOf.run(userId, userId);
        const renamed = { user: userId, first: firstName, last: lastName, username: releasedUsername(userId) };
        this.q.renameNoticesOf.run(renamed);
        this.q.renameLastNoticesOf.run(renamed);
        this.q.closeDirectRoomsOf.run(userId);
        return sessionIds;
      })
      .immediate();
  }

  async releaseDeletedUsernames(before: Date): Promise<number> {
    return this.q.releaseDeletedUsernames.run(before.getTime()).changes;
  }

  async setBlock(blockerId: number, blockedId: number, blocked: boolean, now: Date, max: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        let changed: boolean;
        if (blocked) {
          // Deleted since the caller looked: a block on nobody could never be lifted.
          if (this.q.userById.get(blockedId)?.deleted_at != null) return false;
          const count = this.q.blocksOf.get(blockerId)!;
          changed = this.q.insertBlock.run(blockerId, blockedId, now.getTime()).changes === 1;
          if (changed && count >= max) throw new StoreConflictError('blocks_per_user');
        } else {
          changed = this.q.deleteBlock.run(blockerId, blockedId).changes === 1;
        }
        if (changed) this.q.closeDirectRoomIfBarred.run({ key: directRoomKey(blockerId, blockedId), a: blockerId, b: blockedId });
        return changed;
      })
      .immediate();
  }

  async listBlocked(userId: number): Promise<PublicUser[]> {
    return this.q.listBlocked.all(userId).map(toPublicUser);
  }

  async blockRelationsOf(userId: number): Promise<BlockRelations> {
    return relations(this.q.blockRelationsOf.all(userId, userId));
  }

  async blocksAmong(userId: number, otherIds: readonly number[]): Promise<BlockRelations> {
    if (otherIds.length === 0) return { blockedByMe: [], blockedMe: [] };
    return relations(this.q.blocksAmong.all({ user: userId, others: JSON.stringify(otherIds) }));
  }

  async directRoomIdOf(a: number, b: number): Promise<number | null> {
    return this.q.directRoomId.get(directRoomKey(a, b)) ?? null;
  }

  async createGroupRoom(room: NewGroupRoom): Promise<RoomRecord> {
    const at = room.createdAt.getTime();
    const create = this.db.transaction(() => {
      // An immediate transaction: the count and the insert see no other writer in between.
      if (room.creatorRoomsMax !== undefined && this.q.groupRoomsCreatedBy.get(room.creatorId)! >= room.creatorRoomsMax) {
        throw new StoreConflictError('rooms_per_creator');
      }
      const { id } = this.q.insertGroupRoom.get(room.name, room.nameKey, room.nameFold, room.passwordHash, room.creatorId, at, at)!;
      this.q.insertMember.run({ room: id, user: room.creatorId, at });
      this.q.makeOwner.run(id, room.creatorId);
      return id;
    });
    let id: number;
    try {
      id = create.immediate();
    } catch (error) {
      if (isUniqueViolation(error, 'rooms.name_key')) throw new StoreConflictError('room_name');
      throw error;
    }
    return this.roomFor(id, room.creatorId);
  }

  async openDirectRoom(viewerId: number, peerId: number, now: Date): Promise<{ room: RoomRecord; created: boolean }> {
    const key = directRoomKey(viewerId, peerId);
    const at = now.getTime();
    const { id, created } = this.db
      .transaction(() => {
        const inserted = this.q.insertDirectRoom.get(key, viewerId, at, at);
        if (!inserted) return { id: this.q.directRoomId.get(key)!, created: false };
        this.q.insertMember.run({ room: inserted.id, user: viewerId, at });
        this.q.insertMember.run({ room: inserted.id, user: peerId, at });
        // A block set since the caller checked, which found no room to close, is seen here.
        this.q.closeDirectRoomIfBarred.run({ key, a: viewerId, b: peerId });
        return { id: inserted.id, created: true };
      })
      .immediate();
    return { room: this.roomFor(id, viewerId), created };
  }

  async findRoom(roomId: number, viewerId: number): Promise<RoomRecord | null> {
    const row = this.q.roomForViewer.get({ room: roomId, viewer: viewerId });
    return row ? toRoom(row) : null;
  }

  async findRoomIdByNameKey(nameKey: string): Promise<number | null> {
    return this.q.roomIdByNameKey.get(nameKey) ?? null;
  }

  async countGroupRoomsCreatedBy(userId: number): Promise<number> {
    return this.q.groupRoomsCreatedBy.get(userId)!;
  }

  async listMemberRoomsPage(viewerId: number, query: MemberRoomsPageQuery): Promise<RoomRecord[]> {
    const after = query.after ?? FIRST_ACTIVITY_POSITION;
    return this.q.memberRoomsPage
      .all({ viewer: viewerId, afterMs: after.activityMs, afterId: after.id, limit: query.limit })
      .map(toRoom);
  }

  async listMemberRooms(viewerId: number, query: MemberRoomsQuery): Promise<RoomRecord[]> {
    const rows = this.q.memberRoomsExcept.all({ viewer: viewerId, except: JSON.stringify(query.except), limit: query.limit });
    return rows.map(toRoom);
  }

  async listJoinableRooms(viewerId: number, query: JoinableQuery): Promise<JoinablePage> {
    const from = query.namePrefix ?? '';
    const to = prefixEnd(from);
    const params = {
      viewer: viewerId,
      afterFold: query.after?.nameFold ?? '',
      afterId: query.after?.id ?? 0,
      from,
      limit: query.limit + 1,
    };
    const rows = to === null ? this.q.joinableRooms.all(params) : this.q.joinableRoomsBefore.all({ ...params, to });
    return joinablePage(rows.map(roomRowOf), query.limit);
  }

  async addMember(roomId: number, userId: number, now: Date): Promise<boolean> {
    return this.q.insertMember.run({ room: roomId, user: userId, at: now.getTime() }).changes === 1;
  }

  async removeMember(roomId: number, userId: number): Promise<boolean> {
    return this.q.deleteMember.run(roomId, userId).changes === 1;
  }

  async changeMembership(change: MembershipChange): Promise<MembershipChanged | null> {
    return this.changeMembershipNow(change);
  }

  async updateGroupRoom(roomId: number, changes: GroupRoomChanges): Promise<boolean> {
    const update = this.db.transaction(() => {
      let found = true;
      if (changes.name) found = this.q.renameRoom.run(changes.name.name, changes.name.nameKey, changes.name.nameFold, roomId).changes === 1;
      if (found && changes.passwordHash !== undefined) found = this.q.setRoomPassword.run(changes.passwordHash, roomId).changes === 1;
      return found;
    });
    try {
      return update.immediate();
    } catch (error) {
      if (isUniqueViolation(error, 'rooms.name_key')) throw new StoreConflictError('room_name');
      throw error;
    }
  }

  async setRole(roomId: number, userId: number, role: 'moderator' | 'member'): Promise<boolean> {
    return this.q.setRole.run(role, roomId, userId, role).changes === 1;
  }

  async deleteRoom(roomId: number): Promise<boolean> {
    return this.db.transaction(() => {
      this.q.raiseRoomIdFloor.run(roomId);
      return this.q.deleteRoom.run(roomId).changes === 1;
    })();
  }

  async findBan(roomId: number, userId: number, now: Date): Promise<RoomBan | null> {
    const until = this.q.findBan.get(roomId, userId, now.getTime());
    return until === undefined ? null : toRoomBan(until);
  }

  async deleteBan(roomId: number, userId: number): Promise<boolean> {
    return this.q.deleteBan.run(roomId, userId).changes === 1;
  }

  async listMembers(roomId: number, query: MembersPageQuery): Promise<MemberRecord[]> {
    const after = query.after ?? { joinedAtMs: -1, userId: 0 };
    return this.q.membersPage.all({ room: roomId, afterAt: after.joinedAtMs, afterId: after.userId, limit: query.limit }).map(toMemberRecord);
  }

  async isMember(roomId: number, userId: number): Promise<boolean> {
    return this.q.isMember.get(roomId, userId) === 1;
  }

  async sendStanding(roomId: number, userId: number): Promise<SendStanding> {
    const closed = this.q.sendClosed.get(roomId, userId);
    if (closed === undefined) return null;
    return closed === 1 ? 'closed' : 'member';
  }

  async roomIdsOf(userId: number): Promise<number[]> {
    return this.q.roomIdsOf.all(userId);
  }

  async roomCountersOf(userId: number): Promise<Map<number, RoomCounters>> {
    return new Map(this.q.roomCountersOf.all(userId).map(([id, lastSeq, changeSeq]) => [id, { lastSeq, changeSeq }]));
  }

  async findMembership(roomId: number, userId: number): Promise<MembershipRecord | null> {
    const row = this.q.membership.get(userId, roomId);
    return row ? toMembershipRecord(row) : null;
  }

  async advanceReadMarker(roomId: number, userId: number, seq: number): Promise<ReadMarkerMove | null> {
    if (this.q.advanceReadMarker.run(seq, roomId, userId, seq).changes === 1) return { lastReadSeq: seq, moved: true };
    const current = this.q.readMarker.get(roomId, userId);
    return current === undefined ? null : { lastReadSeq: current, moved: false };
  }

  async setMuted(roomId: number, userId: number, muted: boolean): Promise<boolean> {
    const value = muted ? 1 : 0;
    return this.q.setMuted.run(value, roomId, userId, value).changes === 1;
  }

  /**
   * Queued for the next group commit: every append asked for during one turn of the event loop is
   * written in one transaction, so one sync of the WAL (synchronous=FULL) covers them all. Nothing is
   * resolved, so nothing acknowledged or broadcast, before that commit.
   */
  appendMessage(message: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      if (this.appends.push({ message, resolve, reject }) === 1) setImmediate(() => this.commitAppends());
    });
  }

  private commitAppends(): void {
    const batch = this.appends;
    this.appends = [];
    const outcomes: ({ ok: true; result: AppendResult } | { ok: false; error: unknown })[] = [];
    try {
      this.db
        .transaction(() => {
          for (const { message } of batch) {
            // Each append runs in a savepoint of its own (a nested transaction): one that fails leaves the others be.
            try {
              outcomes.push({ ok: true, result: this.appendOne(message) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.options.afterGroupCommit?.();
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
    });
  }

  async listMessages(roomId: number, query: HistoryQuery, viewerId: number = 0): Promise<Message[]> {
    const rows = this.q.messagesBefore.all(roomId, query.beforeSeq ?? Number.MAX_SAFE_INTEGER, query.limit);
    return this.messagesFor(rows.reverse(), viewerId);
  }

  async listMessagesAfter(roomId: number, afterSeq: number, limit: number, viewerId: number = 0): Promise<Message[]> {
    return this.messagesFor(this.q.messagesAfter.all(roomId, afterSeq, limit), viewerId);
  }

  async listChangedMessages(roomId: number, query: ChangesQuery, viewerId: number): Promise<Message[]> {
    const rows = this.q.changedMessages.all(roomId, query.afterChangeSeq, query.maxSeq, query.limit);
    return this.messagesFor(rows, viewerId);
  }

  async findMessage(messageId: number, viewerId: number): Promise<Message | null> {
    const row = this.q.messageById.get(messageId);
    return row ? this.messagesFor([row], viewerId)[0]! : null;
  }

  async editMessage(edit: MessageEditChange): Promise<MessageChanged | null> {
    return this.db.transaction((): MessageChanged | null => {
      const row = this.q.changedRow.get(edit.messageId);
      if (!row || row.deleted_at !== null) return null;
      if (row.body !== edit.body) {
        const edits = this.q.editCount.get(edit.messageId)!;
        if (edits >= edit.editsMax) throw new StoreConflictError('edits_per_message');
        const at = edit.at.getTime();
        this.q.keepEdit.run(edit.messageId, edits + 1, at, row.body);
        const changeSeq = this.q.raiseChangeSeq.get(row.room_id)!;
        const change = { id: edit.messageId, room: row.room_id, body: edit.body, at, changeSeq };
        this.q.setBody.run(change);
        this.q.setBodyCopy.run(change);
      }
      return this.changed(edit.messageId, row.body !== edit.body);
    }).immediate();
  }

  async deleteMessage(messageId: number, at: Date): Promise<MessageChanged | null> {
    return this.db.transaction((): MessageChanged | null => {
      const row = this.q.changedRow.get(messageId);
      if (!row) return null;
      if (row.deleted_at === null) {
        const changeSeq = this.q.raiseChangeSeq.get(row.room_id)!;
        const change = { id: messageId, room: row.room_id, at: at.getTime(), changeSeq };
        this.q.tombstone.run(change);
        this.q.tombstoneCopy.run(change);
        this.q.dropEdits.run(messageId);
        this.q.dropReactions.run(messageId);
      }
      return this.changed(messageId, row.deleted_at === null);
    }).immediate();
  }

  async setReaction(change: ReactionChangeRequest): Promise<MessageChanged | null> {
    const { messageId, userId, emoji } = change;
    return this.db.transaction((): MessageChanged | null => {
      const row = this.q.changedRow.get(messageId);
      if (!row || row.deleted_at !== null) return null;
      let changed: boolean;
      if (change.on) {
        const given = this.q.emojiOf.all(messageId);
        if (!given.includes(emoji) && given.length >= change.emojiMax) throw new StoreConflictError('reactions_per_message');
        changed = this.q.addReaction.run(messageId, emoji, userId, change.at.getTime()).changes === 1;
      } else {
        changed = this.q.removeReaction.run(messageId, emoji, userId).changes === 1;
      }
      if (changed) {
        const changeSeq = this.q.raiseChangeSeq.get(row.room_id)!;
        this.q.setChangeSeq.run(changeSeq, messageId);
        this.q.setChangeSeqCopy.run(changeSeq, row.room_id, messageId);
      }
      return this.changed(messageId, changed, userId);
    }).immediate();
  }

  async listEdits(messageId: number): Promise<MessageEdit[]> {
    return this.q.edits.all(messageId).map((row) => ({ body: row.body, replacedAt: isoTime(row.replaced_at) }));
  }

  /** The message after a change, its reactions marked for whoever made it (an edit or a deletion: its author, by default). */
  private changed(messageId: number, changed: boolean, viewerId?: number): MessageChanged {
    const row = this.q.messageById.get(messageId)!;
    return { message: this.messagesFor([row], viewerId ?? row.author_id)[0]!, changed };
  }

  /** Messages from their rows, with their reactions as `viewerId` sees them. */
  private messagesFor(rows: readonly MessageRow[], viewerId: number): Message[] {
    const messages = rows.map(toMessage);
    const ids = reactable(messages);
    return ids.length === 0 ? messages : withReactions(messages, this.q.reactionsOf.all({ ids: JSON.stringify(ids), viewer: viewerId }));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private roomFor(roomId: number, viewerId: number): RoomRecord {
    return toRoom(this.q.roomForViewer.get({ room: roomId, viewer: viewerId })!);
  }
}
