import type { Room } from '@parley/protocol';
import { bob } from './fake-chat-socket';

/** A group room I am in, read to the end, changed as the test says. */
export function groupRoom(id: number, name: string, changes: Partial<Room> = {}): Room {
  return {
    id,
    kind: 'group',
    name,
    protected: false,
    joined: true,
    memberCount: 2,
    lastSeq: 0,
    lastActivityAt: `2026-11-24T10:00:${String(id % 60).padStart(2, '0')}.000Z`,
    createdAt: '2026-11-24T10:00:00.000Z',
    peer: null,
    lastReadSeq: 0,
    unread: 0,
    lastMessage: null,
    muted: false,
    peerLastReadSeq: null,
    role: 'member',
    changeSeq: 0,
    ...changes,
  };
}

/** My direct room with Bob. */
export function directWithBob(id: number, changes: Partial<Room> = {}): Room {
  return groupRoom(id, '', { kind: 'direct', name: null, peer: bob, peerLastReadSeq: 0, ...changes });
}
