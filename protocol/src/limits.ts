/** Limits that clients and server agree on; the schemas enforce them. */
export const LIMITS = {
  usernameMin: 3,
  usernameMax: 32,
  nameMax: 64,
  passwordMinChars: 8,
  /** bcrypt reads at most 72 bytes; a longer password is refused rather than silently truncated. */
  passwordMaxBytes: 72,
  roomNameMax: 64,
  bodyMax: 4000,
  /** The characters of a message that a reply quotes (`ReplyQuote.excerpt`). */
  quoteChars: 200,
  /** Different emoji on one message; a person may give each of them once. */
  reactionsPerMessageMax: 20,
  /** The longest reaction, in UTF-8 bytes: one emoji with its skin tone, or two joined by a ZWJ (👨‍💻). */
  emojiMaxBytes: 16,
  /** Times one message may be edited: `message:edits` answers all its earlier versions at once. */
  editsPerMessageMax: 20,
  clientIdMax: 64,
  /** Messages that come with a room when it is opened or joined. */
  historyDefault: 10,
  /** Messages per `room:history` page when the client does not say. */
  historyPageDefault: 50,
  /**
   * Rooms one `sync` may ask about (the caller's among them and those it returns in `joined` are at most this many
   * together), and messages it returns per room before saying it is not complete.
   */
  syncRoomsMax: 1000,
  syncMessagesPerRoom: 200,
  /**
   * One `sync` answer as a whole: at most this many messages, and at most this many bytes of JSON (the
   * ack's payload, envelope included, the rooms of `joined` too). Where it stops, rooms are answered
   * `complete: false`, those it did not reach with no messages, and rooms not named that did not fit are left
   * for a later answer: ask again, naming every room held, until every room is complete and `joined` is empty.
   */
  syncMessagesMax: 1000,
  syncBytesMax: 1024 * 1024,
  historyMax: 100,
  /** Rooms per `rooms:list` or `rooms:browse` page: the default, and the most one page may ask for. */
  roomsPageDefault: 50,
  roomsPageMax: 100,
  /**
   * One `rooms:list` page, in bytes of JSON (the ack, envelope included): a page stops early rather than pass it,
   * since each room carries its last message (up to 4000 characters). Its first room goes whatever its size.
   */
  roomsPageBytesMax: 256 * 1024,
  /**
   * The longest cursor a paged list takes (`rooms:list`, `rooms:browse`, `room:members`, `GET /api/users`): those the server gives (a few
   * numbers, or a name and an id, base64url) are shorter.
   */
  cursorMax: 2048,
  /** The longest ban `room:remove` may give, in minutes (a year); without one, a ban lasts until it is lifted. */
  banMinutesMax: 525_600,
  /** Members per `room:members` page: the default, and the most one page may ask for. */
  membersPageDefault: 50,
  membersPageMax: 100,
  /** People one user may block; `GET /api/me/blocks` answers them all at once. */
  blocksMax: 1000,
  /** The part of a session's `User-Agent` that is kept and shown in `GET /api/me/sessions`. */
  userAgentMax: 256,
  /** People per `GET /api/users` page: the default, and the most one page may ask for. */
  usersPageDefault: 50,
  usersPageMax: 100,
  /** The longest directory search, in code points: a first name, a space and a last name (`nameMax` each). */
  usersQueryMax: 129,
  /** People one socket may watch with `presence:watch`: more than a screen of the directory shows. */
  presenceWatchMax: 500,
} as const;
