import pg from 'pg';
import type { Outcome } from '../batcher.js';
import { MESSAGE_JOINS, messageColumns, toMessage, type MessageRow } from '../rows.js';
import type { AppendResult, NewMessage } from '../store.js';

/**
 * A batch of appends is one statement, and so one transaction with one WAL flush at its commit
 * (`synchronous_commit` on): pg resolves a query only at ReadyForQuery, which PostgreSQL sends after that
 * commit. Its parameters are six arrays, one element per message: room, author, client id, body, time, and the message it answers.
 *
 * APPEND_NEW writes a batch none of whose (author, clientId) is stored yet, as nearly every batch is, and reads
 * nothing of `messages`. It is prepared, and PostgreSQL keeps a generic plan for it that it may have made while
 * the table was small: a plan that looked messages up would then scan the whole table, growing with it until
 * the next ANALYZE (measured: each batch went from 2 ms to seconds within a minute at 800 messages/s). A
 * repeat makes its INSERT fail on the unique (author, clientId), and the batch is written again with
 * APPEND_CHECKED, which looks each message up. In order:
 * - `batch`: each message's position in the arrays and its id, drawn from the identity sequence;
 * - `per_room`: each room's messages, their positions and ids in order, and their count;
 * - `moved`: one UPDATE of each room, in room id order, raising `last_seq` by the count and copying its last
 *   message of the batch onto the row (migration 5). The row lock queues concurrent batches of other servers,
 *   each reading the `last_seq` its predecessor committed, so seqs are gap-free across processes. A room that
 *   does not exist (or was deleted meanwhile) is not there, and neither are its messages below;
 * - `stored`: one multi-row INSERT, the room's k-th message of the batch taking seq `last_seq - count + k`;
 * - `authors_read`: each author's read marker moved to their newest message of the batch in that room;
 * - then the messages stored, with their authors.
 * Messages are read from the arrays by position, so no step joins the batch back to itself.
 */
const APPEND_NEW = `
  WITH batch AS (
    SELECT b.position, b.room_id, nextval((SELECT pg_get_serial_sequence('messages', 'id'))::regclass) AS id
    FROM unnest($1::bigint[]) WITH ORDINALITY AS b(room_id, position)
  ),
  per_room AS (
    SELECT room_id, count(*) AS count, array_agg(position ORDER BY position) AS positions,
           array_agg(id ORDER BY position) AS ids
    FROM batch GROUP BY room_id ORDER BY room_id
  ),
  moved AS (
    UPDATE rooms r SET last_seq = r.last_seq + p.count,
      last_activity_at = ($5::timestamptz[])[p.positions[p.count]],
      last_message_id = p.ids[p.count],
      last_message_author_id = ($2::bigint[])[p.positions[p.count]],
      last_message_client_id = ($3::text[])[p.positions[p.count]],
      last_message_body = ($4::text[])[p.positions[p.count]],
      last_message_created_at = ($5::timestamptz[])[p.positions[p.count]],
      last_message_edited_at = NULL, last_message_deleted_at = NULL, last_message_change_seq = 0
    FROM per_room p WHERE r.id = p.room_id
    RETURNING r.id, r.last_seq - p.count AS seq_before, p.positions, p.ids
  ),
  stored AS (
    INSERT INTO messages (id, room_id, seq, author_id, client_id, body, created_at, reply_to_id) OVERRIDING SYSTEM VALUE
    SELECT m.ids[k], m.id, m.seq_before + k, ($2::bigint[])[m.positions[k]], ($3::text[])[m.positions[k]],
           ($4::text[])[m.positions[k]], ($5::timestamptz[])[m.positions[k]], ($6::bigint[])[m.positions[k]]
    FROM moved m CROSS JOIN LATERAL generate_subscripts(m.positions, 1) AS k
    RETURNING *
  ),
  authors_read AS (
    UPDATE members me SET last_read_seq = GREATEST(me.last_read_seq, s.seq)
    FROM (SELECT room_id, author_id, max(seq) AS seq FROM stored GROUP BY room_id, author_id) s
    WHERE me.room_id = s.room_id AND me.user_id = s.author_id
  )
  SELECT true AS created, ${messageColumns()} FROM stored m ${MESSAGE_JOINS}`;

/**
 * The same, for a batch with a repeat in it: `fresh` keeps the messages whose (author, clientId) is not stored,
 * numbered within their rooms, and the answer adds the stored ones that the others repeat (`created` false).
 * Every part reads the snapshot taken when the statement began, so a message is either fresh or already stored.
 * Not prepared: it looks `messages` up by key, and is planned each time with the table's size as it is then.
 */
const APPEND_CHECKED = `
  WITH batch AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[])
      WITH ORDINALITY AS b(room_id, author_id, client_id, body, created_at, reply_to_id, position)
  ),
  fresh AS (
    SELECT b.*, nextval((SELECT pg_get_serial_sequence('messages', 'id'))::regclass) AS id,
           row_number() OVER (PARTITION BY b.room_id ORDER BY b.position) AS nth,
           count(*) OVER (PARTITION BY b.room_id) AS count
    FROM batch b
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.author_id = b.author_id AND m.client_id = b.client_id)
  ),
  moved AS (
    UPDATE rooms r SET last_seq = r.last_seq + f.count, last_activity_at = f.created_at,
      last_message_id = f.id, last_message_author_id = f.author_id, last_message_client_id = f.client_id,
      last_message_body = f.body, last_message_created_at = f.created_at,
      last_message_edited_at = NULL, last_message_deleted_at = NULL, last_message_change_seq = 0
    FROM fresh f WHERE f.nth = f.count AND r.id = f.room_id
    RETURNING r.id, r.last_seq
  ),
  stored AS (
    INSERT INTO messages (id, room_id, seq, author_id, client_id, body, created_at, reply_to_id) OVERRIDING SYSTEM VALUE
    SELECT f.id, f.room_id, m.last_seq - f.count + f.nth, f.author_id, f.client_id, f.body, f.created_at, f.reply_to_id
    FROM fresh f JOIN moved m ON m.id = f.room_id
    RETURNING *
  ),
  authors_read AS (
    UPDATE members me SET last_read_seq = GREATEST(me.last_read_seq, s.seq)
    FROM (SELECT room_id, author_id, max(seq) AS seq FROM stored GROUP BY room_id, author_id) s
    WHERE me.room_id = s.room_id AND me.user_id = s.author_id
  )
  SELECT m.created, ${messageColumns()}
  FROM (
    SELECT true AS created, s.* FROM stored s
    UNION ALL
    SELECT false, m.* FROM batch b JOIN messages m ON m.author_id = b.author_id AND m.client_id = b.client_id
  ) m
  ${MESSAGE_JOINS}`;

const clientKey = (authorId: number, clientId: string) => `${authorId}:${clientId}`;

function isClientIdRepeat(error: unknown): boolean {
  return error instanceof pg.DatabaseError && error.code === '23505' && error.constraint === 'messages_author_client_id';
}

/**
 * Appends `messages` in one transaction, each with the outcome the single append would have had: a repeat of
 * an (author, clientId), stored before or earlier in the batch, returns that message with `created` false; a
 * message whose room does not exist fails alone. Throws when the statement fails as a whole: then nothing of
 * the batch was stored.
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
  const values = [
    batch.map((m) => m.roomId),
    batch.map((m) => m.authorId),
    batch.map((m) => m.clientId),
    batch.map((m) => m.body),
    batch.map((m) => m.createdAt),
    batch.map((m) => m.replyToId ?? null),
  ];
  let rows: (MessageRow & { created: boolean })[];
  try {
    ({ rows } = await pool.query<MessageRow & { created: boolean }>({ name: 'append_new_messages', text: APPEND_NEW, values }));
  } catch (error) {
    if (!isClientIdRepeat(error)) throw error;
    ({ rows } = await pool.query<MessageRow & { created: boolean }>(APPEND_CHECKED, values));
  }
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
