import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import type { AckOf, ClientEventName, Message, PayloadOf } from '@parley/protocol';
import type { ClientSocket } from './harness.js';

const ACK_TIMEOUT_MS = 3000;
const RETRY_DELAY_MS = 100;

/**
 * A client that behaves as the web client does under faults: it reconnects (to the next node in its
 * list, as a load balancer would send it), catches up with `sync`, and sends unacknowledged messages
 * again with the same clientId. It records what it was told, so a test can check nothing was lost,
 * reordered or duplicated.
 */
export class ResilientClient {
  /** Every message received per room, by seq; a second copy of a seq is counted in `duplicates`. */
  readonly rooms = new Map<number, Map<number, Message>>();
  /** Messages this client sent that the server acknowledged, by clientId. */
  readonly acked = new Map<string, Message>();
  duplicates = 0;
  /** How many times the connection dropped under this client. */
  disconnects = 0;
  private readonly outbox = new Map<string, { roomId: number; body: string }>();
  private socket: ClientSocket | null = null;
  private nodeIndex = 0;
  private closed = false;
  private connecting: Promise<void> | null = null;

  constructor(
    private readonly urls: string[],
    private readonly token: string,
    roomIds: number[],
    nodeIndex = 0,
  ) {
    this.nodeIndex = nodeIndex;
    for (const roomId of roomIds) this.rooms.set(roomId, new Map());
  }

  get connectedTo(): string | null {
    return this.socket?.connected ? this.urls[this.nodeIndex % this.urls.length]! : null;
  }

  /** Connects, trying the nodes in turn until one answers or `deadline` passes. */
  connect(deadlineMs = 20_000): Promise<void> {
    this.connecting ??= this.connectLoop(Date.now() + deadlineMs).finally(() => (this.connecting = null));
    return this.connecting;
  }

  /** Sends a message and keeps it until acknowledged, resending after reconnects. */
  async send(roomId: number, body: string): Promise<void> {
    const clientId = randomUUID();
    this.outbox.set(clientId, { roomId, body });
    await this.deliver(clientId);
  }

  /** Sends everything unacknowledged until the outbox is empty or the deadline passes. */
  async flush(deadlineMs = 20_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (this.outbox.size > 0) {
      if (Date.now() > deadline) throw new Error(`${this.outbox.size} messages still unacknowledged`);
      await this.connect(Math.max(1, deadline - Date.now()));
      for (const clientId of [...this.outbox.keys()]) await this.deliver(clientId);
    }
  }

  /** Gets everything after what it holds, until every room is complete, reconnecting as needed. */
  async catchUp(deadlineMs = 20_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      await this.connect(Math.max(1, deadline - Date.now()));
      if (await this.syncOnce()) return;
      if (Date.now() > deadline) throw new Error('could not catch up');
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }

  /** One round of `sync` on the current connection; false when the connection failed under it. */
  private async syncOnce(): Promise<boolean> {
    for (let round = 0; round < 100; round++) {
      const held = Object.fromEntries([...this.rooms].map(([roomId, messages]) => [roomId, contiguousEnd(messages)]));
      const ack = await this.request('sync', { rooms: held });
      if (!ack.ok) return false;
      for (const room of ack.rooms) for (const message of room.messages) this.hold(message);
      if (ack.rooms.every((room) => room.complete)) return true;
    }
    return true;
  }

  /** The seqs held for a room, in order. */
  seqs(roomId: number): number[] {
    return [...(this.rooms.get(roomId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  close(): void {
    this.closed = true;
    this.socket?.disconnect();
  }

  private async deliver(clientId: string): Promise<void> {
    const pending = this.outbox.get(clientId);
    if (!pending) return;
    const ack = await this.request('message:send', { roomId: pending.roomId, clientId, body: pending.body });
    if (ack.ok) {
      this.outbox.delete(clientId);
      this.acked.set(clientId, ack.message);
      this.hold(ack.message);
    }
  }

  private async request<E extends ClientEventName>(event: E, payload: PayloadOf<E>): Promise<AckOf<E>> {
    const socket = this.socket;
    if (!socket?.connected) return { ok: false, error: { code: 'internal', message: 'not connected' } } as AckOf<E>;
    try {
      return await (socket.timeout(ACK_TIMEOUT_MS) as any).emitWithAck(event, payload);
    } catch {
      return { ok: false, error: { code: 'internal', message: 'no ack' } } as AckOf<E>;
    }
  }

  private hold(message: Message): void {
    const room = this.rooms.get(message.roomId);
    if (!room) return;
    const known = room.get(message.seq);
    if (known && known.id !== message.id) this.duplicates += 1;
    room.set(message.seq, message);
  }

  private async connectLoop(deadline: number): Promise<void> {
    while (!this.closed) {
      if (this.socket?.connected) return;
      const url = this.urls[this.nodeIndex % this.urls.length]!;
      try {
        await this.open(url);
        if (!(await this.syncOnce())) throw new Error('lost the connection while catching up');
        return;
      } catch {
        this.nodeIndex += 1;
        if (Date.now() > deadline) throw new Error(`could not reach any of ${this.urls.join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      }
    }
  }

  private open(url: string): Promise<void> {
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    const socket: ClientSocket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { token: this.token },
      timeout: 2000,
    });
    this.socket = socket;
    socket.on('message:new', (message) => this.hold(message));
    socket.on('disconnect', () => {
      this.disconnects += 1;
      // Reconnect in the background, as a browser tab would; senders wait for it in flush().
      if (!this.closed) void this.connect().catch(() => undefined);
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
  }
}

/** The highest seq up to which a room's messages are all held: what to ask `sync` for. */
function contiguousEnd(messages: Map<number, Message>): number {
  let seq = 0;
  while (messages.has(seq + 1)) seq += 1;
  return seq;
}
