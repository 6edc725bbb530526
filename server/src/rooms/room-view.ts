import type { Room } from '@parley/protocol';
import type { RoomRecord } from '../store/store.js';

/** What a client may see of a room: everything but its password hash. */
export function toRoom(record: RoomRecord): Room {
  return {
    id: record.id,
    kind: record.kind,
    name: record.name,
    protected: record.passwordHash !== null,
    joined: record.joined,
    memberCount: record.memberCount,
    lastSeq: record.lastSeq,
    lastActivityAt: record.lastActivityAt,
    createdAt: record.createdAt,
    peer: record.peer,
    lastReadSeq: record.lastReadSeq,
    unread: record.unread,
    lastMessage: record.lastMessage,
    muted: record.muted,
    peerLastReadSeq: record.peerLastReadSeq,
    role: record.role,
    changeSeq: record.changeSeq,
  };
}

/** A room as someone outside it sees it: not joined, with no read state, no last message and no role. */
export function asOutsider(record: RoomRecord): RoomRecord {
  return { ...record, joined: false, lastReadSeq: 0, unread: 0, muted: false, lastMessage: null, role: null };
}
