import type pg from 'pg';
import { fullNameFold, personNameFold } from '../../users/name-fold.js';
import { placeholderNameKey, recomputeRoomNames } from '../name-keys.js';

/**
 * PostgreSQL schema, one entry per version, mirroring `../sqlite/migrations.ts` table for table and
 * constraint for constraint. Applied in order at start, each in its own transaction; never edit an entry
 * that has shipped, add a new one.
 *
 * Times are `timestamptz`. Keys that uniqueness or ordering rely on are `COLLATE "C"` so that they compare
 * and sort byte by byte, as SQLite's default BINARY collation does, whatever the database's locale.
 * Constraints are named explicitly: the store maps a unique violation to a `StoreConflictError` by name.
 */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
  /** What SQL alone cannot do, run after `sql` in the same transaction. */
  run?: (client: pg.PoolClient) => Promise<void>;
}

export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE users (
        id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username      text        NOT NULL,
        username_key  text        COLLATE "C" NOT NULL CONSTRAINT users_username_key UNIQUE,
        first_name    text        NOT NULL,
        last_name     text        NOT NULL,
        password_hash text        NOT NULL,
        created_at    timestamptz NOT NULL
      );

      CREATE TABLE sessions (
        id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        token_hash text        COLLATE "C" NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE,
        user_id    bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX sessions_expires_at ON sessions (expires_at);

      CREATE TABLE rooms (
        id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind             text        NOT NULL CONSTRAINT rooms_kind_check CHECK (kind IN ('direct', 'group')),
        name             text,
        name_key         text        COLLATE "C" CONSTRAINT rooms_name_key UNIQUE,
        password_hash    text,
        direct_key       text        COLLATE "C" CONSTRAINT rooms_direct_key UNIQUE,
        created_by       bigint      REFERENCES users(id) ON DELETE SET NULL,
        last_seq         bigint      NOT NULL DEFAULT 0,
        last_activity_at timestamptz NOT NULL,
        created_at       timestamptz NOT NULL,
        CONSTRAINT rooms_group_has_name_key CHECK ((kind = 'group') = (name_key IS NOT NULL)),
        CONSTRAINT rooms_direct_has_direct_key CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
      );

      CREATE TABLE members (
        room_id   bigint      NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id   bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        joined_at timestamptz NOT NULL,
        CONSTRAINT members_pkey PRIMARY KEY (room_id, user_id)
      );
      CREATE INDEX members_user_id ON members (user_id, room_id);

      CREATE TABLE messages (
        id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        room_id    bigint      NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        seq        bigint      NOT NULL,
        author_id  bigint      NOT NULL REFERENCES users(id),
        client_id  text        COLLATE "C" NOT NULL,
        body       text        NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT messages_room_seq UNIQUE (room_id, seq),
        CONSTRAINT messages_author_client_id UNIQUE (author_id, client_id)
      );
    `,
  },
  {
    version: 2,
    name: 'sessions by user',
    // Each log-in trims the user's sessions to the newest few: find them without scanning the table.
    sql: `CREATE INDEX sessions_user_id ON sessions (user_id, id);`,
  },
  {
    version: 3,
    name: 'room name keys are confusable skeletons; folded names for search; rooms by creator',
    sql: `
      ALTER TABLE rooms ADD COLUMN name_fold text COLLATE "C";
      CREATE INDEX rooms_joinable ON rooms (name_fold, id) WHERE kind = 'group';
      CREATE INDEX rooms_created_by ON rooms (created_by) WHERE kind = 'group';
    `,
    async run(client) {
      const { rows } = await client.query<{ id: number; name: string }>(
        "SELECT id, name FROM rooms WHERE kind = 'group' ORDER BY id",
      );
      const names = recomputeRoomNames(rows);
      const ids = names.map(({ id }) => id);
      await client.query(
        'UPDATE rooms r SET name_key = v.key FROM unnest($1::bigint[], $2::text[]) AS v(id, key) WHERE r.id = v.id',
        [ids, names.map(({ id }) => placeholderNameKey(id))],
      );
      await client.query(
        `UPDATE rooms r SET name_key = v.key, name_fold = v.fold
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, key, fold) WHERE r.id = v.id`,
        [ids, names.map(({ key }) => key), names.map(({ fold }) => fold)],
      );
    },
  },
  {
    version: 4,
    name: 'read markers and mute per membership',
    // A membership that existed before read markers starts with everything read: nothing tells what its
    // member had seen, and a badge on every message ever sent would be noise, not news.
    sql: `
      ALTER TABLE members
        ADD COLUMN last_read_seq bigint  NOT NULL DEFAULT 0,
        ADD COLUMN muted         boolean NOT NULL DEFAULT false;
      UPDATE members m SET last_read_seq = r.last_seq FROM rooms r WHERE r.id = m.room_id;
    `,
  },
  {
    version: 5,
    name: 'each room keeps a copy of its last message',
    // As in SQLite's migration 5: rooms:list reads each room's last message from the room row, which the
    // send's UPDATE (last_seq) writes anyway, instead of one more index probe per room into messages.
    sql: `
      ALTER TABLE rooms
        ADD COLUMN last_message_id         bigint,
        ADD COLUMN last_message_author_id  bigint,
        ADD COLUMN last_message_client_id  text COLLATE "C",
        ADD COLUMN last_message_body       text,
        ADD COLUMN last_message_created_at timestamptz;
      UPDATE rooms r SET last_message_id = m.id, last_message_author_id = m.author_id, last_message_client_id = m.client_id,
                         last_message_body = m.body, last_message_created_at = m.created_at
      FROM messages m WHERE m.room_id = r.id AND m.seq = r.last_seq;
    `,
  },
  {
    version: 6,
    name: 'the directory searched by name, a page at a time',
    // As in SQLite's migration 6: folds written by the server, compared byte by byte ("C"), each index leading with
    // what a search compares (the whole fold, or its first one or two letters), then the username key a page is
    // ordered by.
    sql: `
      ALTER TABLE users
        ADD COLUMN full_name_fold text COLLATE "C" NOT NULL DEFAULT '',
        ADD COLUMN last_name_fold text COLLATE "C" NOT NULL DEFAULT '';
      CREATE INDEX users_full_name_fold ON users (full_name_fold, username_key);
      CREATE INDEX users_last_name_fold ON users (last_name_fold, username_key);
      CREATE INDEX users_full_name_fold_1 ON users ((left(full_name_fold, 1)), username_key);
      CREATE INDEX users_last_name_fold_1 ON users ((left(last_name_fold, 1)), username_key);
      CREATE INDEX users_full_name_fold_2 ON users ((left(full_name_fold, 2)), username_key);
      CREATE INDEX users_last_name_fold_2 ON users ((left(last_name_fold, 2)), username_key);
    `,
    async run(client) {
      const { rows } = await client.query<{ id: number; first_name: string; last_name: string }>('SELECT id, first_name, last_name FROM users');
      await client.query(
        `UPDATE users u SET full_name_fold = v.full_fold, last_name_fold = v.last_fold
         FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, full_fold, last_fold) WHERE u.id = v.id`,
        [rows.map((row) => row.id), rows.map((row) => fullNameFold(row.first_name, row.last_name)), rows.map((row) => personNameFold(row.last_name))],
      );
    },
  },
  {
    version: 7,
    name: 'the directory reads a name by its first three letters too',
    // As in SQLite's migration 7: a search of three letters no longer reads and sorts every match of the whole fold.
    sql: `
      CREATE INDEX users_full_name_fold_3 ON users ((left(full_name_fold, 3)), username_key);
      CREATE INDEX users_last_name_fold_3 ON users ((left(last_name_fold, 3)), username_key);
    `,
  },
  {
    version: 8,
    name: 'members have a role: each group room with members has an owner',
    // As in SQLite's migration 8.
    sql: `
      ALTER TABLE members ADD COLUMN role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member'));
      CREATE INDEX members_room_joined ON members (room_id, joined_at, user_id);
      UPDATE members m SET role = 'owner' FROM rooms r
      WHERE r.id = m.room_id AND r.kind = 'group' AND m.user_id = r.created_by;
      UPDATE members m SET role = 'owner'
      FROM (
        SELECT DISTINCT ON (x.room_id) x.room_id, x.user_id
        FROM members x JOIN rooms r ON r.id = x.room_id AND r.kind = 'group'
        WHERE NOT EXISTS (SELECT 1 FROM members o WHERE o.room_id = x.room_id AND o.role = 'owner')
        ORDER BY x.room_id, x.joined_at, x.user_id
      ) first
      WHERE m.room_id = first.room_id AND m.user_id = first.user_id;
    `,
  },
  {
    version: 9,
    name: 'who was removed from a room may not join it again until their ban ends',
    // As in SQLite's migration 9.
    sql: `
      CREATE TABLE room_bans (
        room_id   bigint NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id   bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        until     timestamptz,
        banned_by bigint REFERENCES users(id) ON DELETE SET NULL,
        PRIMARY KEY (room_id, user_id)
      );
    `,
  },
  {
    // SQLite's migration 10 has no counterpart here (an identity never goes back): the numbers part from here on.
    version: 10,
    name: 'accounts people can manage: sessions they can see, blocks, deletion',
    // As in SQLite's migration 11.
    sql: `
      ALTER TABLE sessions ADD COLUMN user_agent text NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN address text NOT NULL DEFAULT '';
      ALTER TABLE sessions ADD COLUMN last_used_at timestamptz;
      UPDATE sessions SET last_used_at = created_at;
      ALTER TABLE sessions ALTER COLUMN last_used_at SET NOT NULL;
      ALTER TABLE users ADD COLUMN deleted_at timestamptz;
      CREATE INDEX users_deleted_at ON users (deleted_at) WHERE deleted_at IS NOT NULL;
      ALTER TABLE members ADD COLUMN send_closed boolean NOT NULL DEFAULT false;
      CREATE TABLE user_blocks (
        blocker_id bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        blocked_id bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (blocker_id, blocked_id)
      );
      CREATE INDEX user_blocks_blocked ON user_blocks (blocked_id, blocker_id);
    `,
  },
  {
    version: 11,
    name: 'messages that can be edited, deleted, answered and reacted to, and a change feed',
    // As in SQLite's migration 12.
    sql: `
      ALTER TABLE messages ADD COLUMN edited_at timestamptz;
      ALTER TABLE messages ADD COLUMN deleted_at timestamptz;
      ALTER TABLE messages ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
      ALTER TABLE messages ADD COLUMN reply_to_id bigint;
      CREATE INDEX messages_changes ON messages (room_id, change_seq) WHERE change_seq > 0;
      ALTER TABLE rooms ADD COLUMN change_seq bigint NOT NULL DEFAULT 0;
      ALTER TABLE rooms ADD COLUMN last_message_edited_at timestamptz;
      ALTER TABLE rooms ADD COLUMN last_message_deleted_at timestamptz;
      ALTER TABLE rooms ADD COLUMN last_message_change_seq bigint NOT NULL DEFAULT 0;
      CREATE TABLE message_edits (
        message_id  bigint      NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        n           integer     NOT NULL,
        replaced_at timestamptz NOT NULL,
        body        text        NOT NULL,
        PRIMARY KEY (message_id, n)
      );
      CREATE TABLE message_reactions (
        message_id bigint      NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        emoji      text        NOT NULL,
        user_id    bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (message_id, emoji, user_id)
      );
    `,
  },
];
