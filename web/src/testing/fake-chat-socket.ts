import { Injectable, signal } from '@angular/core';
import type { AckOf, ClientEventName, MemberChange, Message, PayloadOf, PublicUser, ServerToClientEvents, SyncPosition } from '@parley/protocol';
import type { ConnectionState } from '../app/core/chat-socket';

type Responder = { [E in ClientEventName]?: (payload: PayloadOf<E>) => AckOf<E> | Promise<AckOf<E>> };

/** Stands in for the server in unit tests: answers requests as the test says, and plays server events. */
@Injectable()
export class FakeChatSocket {
  readonly state = signal<ConnectionState>('connected');
  readonly requests: { event: ClientEventName; payload: unknown }[] = [];
  responders: Responder = {};
  private readonly listeners = new Map<string, Set<(payload: never) => void>>();
  private readonly reconnected = new Set<() => void>();
  private readonly connected = new Set<(again: boolean) => void>();

  willConnect(): void {}
  connect(): void {}
  disconnect(): void {}

  async request<E extends ClientEventName>(event: E, payload: PayloadOf<E>): Promise<AckOf<E>> {
    this.requests.push({ event, payload });
    const respond = this.responders[event] as ((p: PayloadOf<E>) => AckOf<E> | Promise<AckOf<E>>) | undefined;
    if (!respond) return { ok: false, error: { code: 'internal', message: `no responder for ${event}` } } as AckOf<E>;
    return respond(payload);
  }

  on<E extends keyof ServerToClientEvents>(event: E, listener: ServerToClientEvents[E]): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  onConnected(listener: (again: boolean) => void): () => void {
    this.connected.add(listener);
    return () => this.connected.delete(listener);
  }

  onReconnected(listener: () => void): () => void {
    this.reconnected.add(listener);
    return () => this.reconnected.delete(listener);
  }

  onRejected(): () => void {
    return () => undefined;
  }

  /** Plays an event as if the server had sent it. */
  serverSends<E extends keyof ServerToClientEvents>(event: E, payload: Parameters<ServerToClientEvents[E]>[0]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (p: unknown) => void)(payload);
  }

  /** The first connect since log-in. */
  connectFirst(): void {
    for (const listener of this.connected) listener(false);
  }

  reconnect(): void {
    for (const listener of this.connected) listener(true);
    for (const listener of this.reconnected) listener();
  }

  /** The rooms each `sync` named, by the seq it named each with (the change counts left out). */
  syncedSeqs(): { rooms: Record<string, number> }[] {
    return (this.sent('sync') as PayloadOf<'sync'>[]).map(({ rooms }) => ({ rooms: seqsNamed(rooms) }));
  }

  sent(event: ClientEventName): unknown[] {
    return this.requests.filter((r) => r.event === event).map((r) => r.payload);
  }
}

/** The seq a `sync` names a room by, in either form. */
export const heldSeq = (held: number | SyncPosition): number => (typeof held === 'number' ? held : held.seq);

/** The rooms a `sync` names, by seq. */
export const seqsNamed = (rooms: Record<string, number | SyncPosition>): Record<string, number> =>
  Object.fromEntries(Object.entries(rooms).map(([id, held]) => [id, heldSeq(held)]));

export const alice: PublicUser = { id: 1, username: 'alice', firstName: 'Alice', lastName: 'Liddell' };
export const bob: PublicUser = { id: 2, username: 'bob', firstName: 'Bob', lastName: 'Builder' };

export function message(roomId: number, seq: number, author: PublicUser = bob, body = `message ${seq}`): Message {
  return {
    id: roomId * 1000 + seq,
    roomId,
    seq,
    kind: 'text',
    authorId: author.id,
    author,
    body,
    notice: null,
    clientId: `c-${roomId}-${seq}`,
    createdAt: new Date(Date.UTC(2026, 10, 24, 10, 0, seq)).toISOString(),
    editedAt: null,
    deletedAt: null,
    changeSeq: 0,
    replyTo: null,
    reactions: [],
  };
}

/** The system notice of `user` joining, leaving or being removed (by `actor`, the author), as the server stores it. */
export function notice(roomId: number, seq: number, change: MemberChange, user: PublicUser = bob, actor: PublicUser = user): Message {
  return {
    ...message(roomId, seq, actor, ''),
    kind: 'system',
    notice: { change, user },
    clientId: `notice.${roomId}.${seq}`,
  };
}

/** Lets pending promise callbacks run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
