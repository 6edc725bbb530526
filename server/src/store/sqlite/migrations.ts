import type Database from 'better-sqlite3';
import { fullNameFold, personNameFold } from '../../users/name-fold.js';
import { placeholderNameKey, recomputeRoomNames } from '../name-keys.js';

/**
 * SQLite schema, one entry per version. Applied in order at start; never edit an entry that has shipped,
 * add a new one. Times are milliseconds since the epoch (UTC). `sql` runs first, then `run`, for what SQL
 * alone cannot do, in the same transaction.
 */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
  run?: (db: Database.Database) => void;
}

export const sqliteMigrations: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        username      TEXT    NOT NULL,
        username_key  TEXT    NOT NULL UNIQUE,
        first_name    TEXT    NOT NULL,
        last_name     TEXT    NOT NULL,
        password_hash TEXT    NOT NULL,
        created_at    INTEGER NOT NULL
      );

      CREATE TABLE sessions (
        id         INTEGER PRIMARY KEY,
        token_hash TEXT    NOT NULL UNIQUE,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_expires_at ON sessions(expires_at);

      CREATE TABLE rooms (
        id               INTEGER PRIMARY KEY,
        kind             TEXT    NOT NULL CHECK (kind IN ('direct', 'group')),
        name             TEXT,
        name_key         TEXT    UNIQUE,
        password_hash    TEXT,
        direct_key       TEXT    UNIQUE,
        created_by       INTEGER REFERENCES users(id) ON DELETE SET NULL,
        last_seq         INTEGER NOT NULL DEFAULT 0,
        last_activity_at INTEGER NOT NULL,
        created_at       INTEGER NOT NULL,
        CHECK ((kind = 'group') = (name_key IS NOT NULL)),
        CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
      );

      CREATE TABLE members (
        room_id   INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (room_id, user_id)
      );
      CREATE INDEX members_user_id ON members(user_id, room_id);

      CREATE TABLE messages (
        id         INTEGER PRIMARY KEY,
        room_id    INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        author_id  INTEGER NOT NULL REFERENCES users(id),
        client_id  TEXT    NOT NULL,
        body       TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (room_id, seq),
        UNIQUE (author_id, client_id)
      );
    `,
  },
  {
    version: 2,
    name: 'sessions by user',
    // Each log-in trims the user's sessions to the newest few: find them without scanning the table.
    sql: `CREATE INDEX sessions_user_id ON sessions(user_id, id);`,
  },
  {
    version: 3,
    name: 'room name keys are confusable skeletons; folded names for search; rooms by creator',
    sql: `
      ALTER TABLE rooms ADD COLUMN name_fold TEXT;
      CREATE INDEX rooms_joinable ON rooms (name_fold, id) WHERE kind = 'group';
      CREATE INDEX rooms_created_by ON rooms (created_by) WHERE kind = 'group';
    `,
    run(db) {
      const rooms = db.prepare<[], { id: number; name: string }>("SELECT id, name FROM rooms WHERE kind = 'group' ORDER BY id").all();
      const setKey = db.prepare<[string, number]>('UPDATE rooms SET name_key = ? WHERE id = ?');
      const setNames = db.prepare<[string, string, number]>('UPDATE rooms SET name_key = ?, name_fold = ? WHERE id = ?');
      const names = recomputeRoomNames(rooms);
      for (const { id } of names) setKey.run(placeholderNameKey(id), id);
      for (const { id, key, fold } of names) setNames.run(key, fold, id);
    },
  },
  {
    version: 4,
    name: 'read markers and mute per membership',
    // A membership that existed before read markers starts with everything read: nothing tells what its
    // member had seen, and a badge on every message ever sent would be noise, not news.
    sql: `
      ALTER TABLE members ADD COLUMN last_read_seq INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE members ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
      UPDATE members SET last_read_seq = (SELECT r.last_seq FROM rooms r WHERE r.id = members.room_id);
    `,
  },
  {
    version: 5,
    name: "each room keeps a copy of its last message",
    // rooms:list shows every room with its last message. Read from messages, that is one more B-tree
    // descent into the biggest table per room, on a page of its own: about half of the query at 1,000
    // rooms of 10,000 messages. Sending already rewrites the room row (last_seq), so the copy rides on
    // that same UPDATE; messages are never edited or deleted alone, so it cannot go stale.
    sql: `
      ALTER TABLE rooms ADD COLUMN last_message_id INTEGER;
      ALTER TABLE rooms ADD COLUMN last_message_author_id INTEGER;
      ALTER TABLE rooms ADD COLUMN last_message_client_id TEXT;
      ALTER TABLE rooms ADD COLUMN last_message_body TEXT;
      ALTER TABLE rooms ADD COLUMN last_message_created_at INTEGER;
      UPDATE rooms SET last_message_id = m.id, last_message_author_id = m.author_id, last_message_client_id = m.client_id,
                       last_message_body = m.body, last_message_created_at = m.created_at
      FROM messages m WHERE m.room_id = rooms.id AND m.seq = rooms.last_seq;
    `,
  },
  {
    version: 6,
    name: 'the directory searched by name, a page at a time',
    // GET /api/users pages people by username key and finds them by the start of their username, their whole
    // name ("first last") or their last name, case and accents ignored. Folding is Unicode's, which SQL here
    // cannot do, so the folds are columns written by the server; each index leads with what a search compares,
    // then the key a page is ordered by, so a search reads only the index, never the table. A search of one or
    // two letters matches a tenth of everyone or so: in the indexes on a fold's first one or two letters, those
    // are in username order, so a page of them costs a page, not a sort of them all.
    sql: `
      ALTER TABLE users ADD COLUMN full_name_fold TEXT NOT NULL DEFAULT '';
      ALTER TABLE users ADD COLUMN last_name_fold TEXT NOT NULL DEFAULT '';
      CREATE INDEX users_full_name_fold ON users (full_name_fold, username_key);
      CREATE INDEX users_last_name_fold ON users (last_name_fold, username_key);
      CREATE INDEX users_full_name_fold_1 ON users (substr(full_name_fold, 1, 1), username_key);
      CREATE INDEX users_last_name_fold_1 ON users (substr(last_name_fold, 1, 1), username_key);
      CREATE INDEX users_full_name_fold_2 ON users (substr(full_name_fold, 1, 2), username_key);
      CREATE INDEX users_last_name_fold_2 ON users (substr(last_name_fold, 1, 2), username_key);
    `,
    run(db) {
      const users = db.prepare<[], { id: number; first_name: string; last_name: string }>('SELECT id, first_name, last_name FROM users').all();
      const setFolds = db.prepare<[string, string, number]>('UPDATE users SET full_name_fold = ?, last_name_fold = ? WHERE id = ?');
      for (const user of users) setFolds.run(fullNameFold(user.first_name, user.last_name), personNameFold(user.last_name), user.id);
    },
  },
  {
    version: 7,
    name: 'the directory reads a name by its first three letters too',
    // A search of three letters ("mar") was read from the index on the whole fold: some thousands of matches at
    // 100,000 people, every one read and sorted by username for a page of 25 (1 ms here, 3–9 ms on PostgreSQL). In
    // these, as in migration 6's on one and two letters, a page costs a page. From four letters on, matches are few.
    sql: `
      CREATE INDEX users_full_name_fold_3 ON users (substr(full_name_fold, 1, 3), username_key);
      CREATE INDEX users_last_name_fold_3 ON users (substr(last_name_fold, 1, 3), username_key);
    `,
  },
  {
    version: 8,
    name: 'members have a role: each group room with members has an owner',
    // The creator owns the room; where the creator has left (or it was never recorded), the longest-standing
    // member does. `room:members` pages a room's members by (joined_at, user_id), which the index serves.
    sql: `
      ALTER TABLE members ADD COLUMN role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member'));
      CREATE INDEX members_room_joined ON members (room_id, joined_at, user_id);
      UPDATE members SET role = 'owner'
      WHERE (room_id, user_id) IN (SELECT id, created_by FROM rooms WHERE kind = 'group' AND created_by IS NOT NULL);
      UPDATE members SET role = 'owner'
      WHERE (room_id, user_id) IN (
        SELECT r.id, (SELECT m.user_id FROM members m WHERE m.room_id = r.id ORDER BY m.joined_at, m.user_id LIMIT 1)
        FROM rooms r
        WHERE r.kind = 'group' AND NOT EXISTS (SELECT 1 FROM members o WHERE o.room_id = r.id AND o.role = 'owner')
      );
    `,
  },
  {
    version: 9,
    name: 'who was removed from a room may not join it again until their ban ends',
    // `until` null: until an owner or moderator lifts it.
    sql: `
      CREATE TABLE room_bans (
        room_id   INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        until     INTEGER,
        banned_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        PRIMARY KEY (room_id, user_id)
      );
    `,
  },
  {
    version: 10,
    name: 'a deleted room’s id is never given to another room',
    // Rooms take max(id) + 1 (no AUTOINCREMENT, which would need the table rebuilt): without this, deleting the
    // newest room would hand its id to the next, and a client that missed room:deleted would take the one for the
    // other. PostgreSQL's identity never goes back.
    sql: `
      CREATE TABLE room_id_floor (id INTEGER NOT NULL);
      INSERT INTO room_id_floor VALUES (0);
    `,
  },
  {
    version: 11,
    name: 'accounts people can manage: sessions they can see, blocks, deletion',
    // A session keeps where it came from and when it was last used, for `GET /api/me/sessions`. A deleted account
    // keeps its row (its messages name it "Deleted user") with `deleted_at` set. `members.send_closed` marks both
    // memberships of a direct chat no one may write in (a block stands between its two people, or one deleted their
    // account), so that the send path still reads one row.
    sql: `
      ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
      UPDATE sessions SET last_used_at = created_at;
      ALTER TABLE users ADD COLUMN deleted_at INTEGER;
      CREATE INDEX users_deleted_at ON users (deleted_at) WHERE deleted_at IS NOT NULL;
      ALTER TABLE members ADD COLUMN send_closed INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE user_blocks (
        blocker_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        blocked_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (blocker_id, blocked_id)
      ) WITHOUT ROWID;
      CREATE INDEX user_blocks_blocked ON user_blocks (blocked_id, blocker_id);
    `,
  },
  {
    version: 12,
    name: 'messages that can be edited, deleted, answered and reacted to, and a change feed',
    // A room's `change_seq` counts its messages' changes; a message keeps the count of its last one, and the index
    // on it (of changed messages only) is what `sync` reads the changes since a count from. The room row's copy of
    // its last message (migration 5) keeps its edit, deletion and change count too. An edit keeps the body it
    // replaced in `message_edits`; a deletion empties the body and drops its edits and reactions.
    sql: `
      ALTER TABLE messages ADD COLUMN edited_at INTEGER;
      ALTER TABLE messages ADD COLUMN deleted_at INTEGER;
      ALTER TABLE messages ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE messages ADD COLUMN reply_to_id INTEGER;
      CREATE INDEX messages_changes ON messages (room_id, change_seq) WHERE change_seq > 0;
      ALTER TABLE rooms ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE rooms ADD COLUMN last_message_edited_at INTEGER;
      ALTER TABLE rooms ADD COLUMN last_message_deleted_at INTEGER;
      ALTER TABLE rooms ADD COLUMN last_message_change_seq INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE message_edits (
        message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        n           INTEGER NOT NULL,
        replaced_at INTEGER NOT NULL,
        body        TEXT    NOT NULL,
        PRIMARY KEY (message_id, n)
      ) WITHOUT ROWID;
      CREATE TABLE message_reactions (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        emoji      TEXT    NOT NULL,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, emoji, user_id)
      ) WITHOUT ROWID;
    `,
  },
];
