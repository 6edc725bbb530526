import pg from 'pg';
import type { Outcome } from '../batcher.js';
import { toMessage, type MessageRow } from '../rows.js';
import type { AppendResult, NewMessage } from '../store.js';

/**
 * One batch of appends as one statement, and so one transaction with one WAL flush at its commit
 * (`synchronous_commit` on): pg resolves a query only at ReadyForQuery, which PostgreSQL sends after that
 * commit. In order:
 * - `batch`: the messages, sorted by room (see `appendMessages`), each with its position;
 * - `fresh`: those whose (author, clientId) is not stored yet, each given its id from the identity sequence,
 *   its place `nth` among its room's messages in the batch and their `count`;
 * - `moved`: one UPDATE of each room, raising `last_seq` by `count` and copying its last message of the batch
 *   onto the row (migration 5); its row lock queues concurrent batches of other servers, each reading the
 *   `last_seq` its predecessor committed, so seqs are gap-free across processes. A room that does not exist
 *   (or was deleted meanwhile) is not there, and neither are its messages below;
 * - `stored`: one multi-row INSERT, message `nth` of its room taking seq `last_seq - count + nth`;
 * - `authors_read`: each author's read marker moved to their newest message of the batch in that room;
 * - then the messages stored, and those that were already (`created` false), with their authors.
 * Every part reads the snapshot taken when the statement began, so a message is either fresh or already stored.
 */
const APPEND_MESSAGES = `
  WITH batch AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[])
      WITH ORDINALITY AS b(room_id, author_id, client_id, body, created_at, position)
  ),
  fresh AS (
    SELECT b.*, nextval(pg_get_serial_sequence('messages', 'id')) AS id,
           row_number() OVER (PARTITION BY b.room_id ORDER BY b.position) AS nth,
           count(*) OVER (PARTITION BY b.room_id) AS count
    FROM batch b
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.author_id = b.author_id AND m.client_id = b.client_id)
  ),
  moved AS (
    UPDATE rooms r SET last_seq = r.last_seq + f.count, last_activity_at = f.created_at,
      last_message_id = f.id, last_message_author_id = f.author_id, last_message_client_id = f.client_id,
      last_message_body = f.body, last_message_created_at = f.created_at
    FROM fresh f WHERE f.nth = f.count AND r.id = f.room_id
    RETURNING r.id, r.last_seq
  ),
  stored AS (
    INSERT INTO messages (id, room_id, seq, author_id, client_id, body, created_at) OVERRIDING SYSTEM VALUE
    SELECT f.id, f.room_id, m.last_seq - f.count + f.nth, f.author_id, f.client_id, f.body, f.created_at
    FROM fresh f JOIN moved m ON m.id = f.room_id
    RETURNING *
  ),
  authors_read AS (
    UPDATE members me SET last_read_seq = GREATEST(me.last_read_seq, s.seq)
    FROM (SELECT room_id, author_id, max(seq) AS seq FROM stored GROUP BY room_id, author_id) s
    WHERE me.room_id = s.room_id AND me.user_id = s.author_id
  )
  SELECT a.*, u.username, u.first_name, u.last_name
  FROM (
    SELECT true AS created, s.id, s.room_id, s.seq, s.author_id, s.client_id, s.body, s.created_at FROM stored s
    UNION ALL
    -- LIMIT 1 (there is at most one) keeps this a probe of the unique index per message, both columns bound.
    SELECT false, m.* FROM batch b CROSS JOIN LATERAL (
      SELECT m.id, m.room_id, m.seq, m.author_id, m.client_id, m.body, m.created_at FROM messages m
      WHERE m.author_id = b.author_id AND m.client_id = b.client_id LIMIT 1
    ) m
  ) a
  JOIN users u ON u.id = a.author_id`;

const clientKey = (authorId: number, clientId: string) => `${authorId}:${clientId}`;

/**
 * Appends `messages` in one transaction (see APPEND_MESSAGES), each with the outcome the single append
 * would have had: a repeat of an (author, clientId), stored before or earlier in the batch, returns that
 * message with `created` false; a message whose room does not exist fails alone. Throws when the statement
 * fails as a whole: then nothing of the batch was stored.
 */
export async function appendMessages(pool: pg.Pool, messages: readonly NewMessage[]): Promise<Outcome<AppendResult>[]> {
  const firsts = new Map<string, NewMessage>();
  for (const message of messages) {
    const key = clientKey(message.authorId, message.clientId);
    if (!firsts.has(key)) firsts.set(key, message);
  }
  // Rooms are locked in id order (a stable sort keeps each room's messages in the order they were asked
  // for), so that batches of several servers do not deadlock on each other's rooms.
  const batch = [...firsts.values()].sort((a, b) => a.roomId - b.roomId);
  const { rows } = await pool.query<MessageRow & { created: boolean }>({
    name: 'append_messages',
    text: APPEND_MESSAGES,
    values: [
      batch.map((m) => m.roomId),
      batch.map((m) => m.authorId),
      batch.map((m) => m.clientId),
      batch.map((m) => m.body),
      batch.map((m) => m.createdAt),
    ],
  });
  const rowOf = new Map(rows.map((row) => [clientKey(row.author_id, row.client_id), row]));
  const answered = new Set<string>();
  return messages.map((message): Outcome<AppendResult> => {
    const key = clientKey(message.authorId, message.clientId);
    const row = rowOf.get(key);
    if (!row) return { ok: false, error: new Error(`room ${message.roomId} does not exist`) };
    const created = row.created && !answered.has(key);
    answered.add(key);
    return { ok: true, value: { message: toMessage(row), created } };
  });
}
