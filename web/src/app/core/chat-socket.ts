import { Injectable, signal } from '@angular/core';
import { io, type Socket } from 'socket.io-client';
import type { AckOf, ClientEventName, ClientToServerEvents, PayloadOf, ServerToClientEvents, SocketClosingReason } from '@parley/protocol';

export type ConnectionState = 'offline' | 'connecting' | 'connected' | 'reconnecting';

type ServerEvent = keyof ServerToClientEvents;

/** How long to wait for an ack before calling the request failed (the user may then retry). */
export const ACK_TIMEOUT_MS = 8000;

/**
 * The one Socket.IO connection. The browser's session cookie authenticates it. Listeners registered
 * here survive reconnects and log-outs; `connected` listeners run after every connect, `reconnected` ones
 * after every connect but the first, so stores can fetch what they missed.
 */
@Injectable({ providedIn: 'root' })
export class ChatSocket {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private readonly connectionState = signal<ConnectionState>('offline');
  private readonly connectedListeners = new Set<(again: boolean) => void>();
  private readonly reconnectedListeners = new Set<() => void>();
  private readonly rejectedListeners = new Set<() => void>();
  private readonly eventListeners = new Map<ServerEvent, Set<(payload: never) => void>>();
  private everConnected = false;

  readonly state = this.connectionState.asReadonly();

  /** A connect is on its way (see MainPage): the page says "Connecting…" from its first frame, not "Offline". */
  willConnect(): void {
    if (!this.socket?.connected) this.connectionState.set(this.everConnected ? 'reconnecting' : 'connecting');
  }

  connect(): void {
    if (!this.socket) this.socket = this.create();
    if (this.socket.connected) return;
    this.connectionState.set(this.everConnected ? 'reconnecting' : 'connecting');
    this.socket.connect();
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.everConnected = false;
    this.connectionState.set('offline');
  }

  /** Emits a client event and resolves with its ack; a missing ack becomes an error ack, never a hang. */
  async request<E extends ClientEventName>(event: E, payload: PayloadOf<E>): Promise<AckOf<E>> {
    const socket = this.socket;
    if (!socket) return { ok: false, error: { code: 'internal', message: 'Not connected.' } } as AckOf<E>;
    try {
      return await (socket.timeout(ACK_TIMEOUT_MS) as any).emitWithAck(event, payload);
    } catch {
      return { ok: false, error: { code: 'internal', message: 'The server did not answer in time.' } } as AckOf<E>;
    }
  }

  on<E extends ServerEvent>(event: E, listener: ServerToClientEvents[E]): () => void {
    let listeners = this.eventListeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.eventListeners.set(event, listeners);
      this.socket?.on(event, ((payload: never) => this.dispatch(event, payload)) as never);
    }
    listeners.add(listener as (payload: never) => void);
    return () => listeners.delete(listener as (payload: never) => void);
  }

  /**
   * Runs on every connect, the first included (`again` false): what a request made before it (and timed out
   * while the server was unreachable) should have fetched can be fetched now.
   */
  onConnected(listener: (again: boolean) => void): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  onReconnected(listener: () => void): () => void {
    this.reconnectedListeners.add(listener);
    return () => this.reconnectedListeners.delete(listener);
  }

  /** The server refused the session: it expired, or was logged out elsewhere. */
  onRejected(listener: () => void): () => void {
    this.rejectedListeners.add(listener);
    return () => this.rejectedListeners.delete(listener);
  }

  private dispatch(event: ServerEvent, payload: never): void {
    for (const listener of this.eventListeners.get(event) ?? []) listener(payload);
  }

  private create(): Socket<ServerToClientEvents, ClientToServerEvents> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      autoConnect: false,
      withCredentials: true,
      transports: ['websocket', 'polling'],
    });
    for (const event of this.eventListeners.keys()) {
      socket.on(event, ((payload: never) => this.dispatch(event, payload)) as never);
    }
    socket.on('connect', () => {
      this.connectionState.set('connected');
      const reconnect = this.everConnected;
      this.everConnected = true;
      for (const listener of this.connectedListeners) listener(reconnect);
      if (reconnect) for (const listener of this.reconnectedListeners) listener();
    });
    let closing: SocketClosingReason | undefined;
    socket.on('socket:closing', (event) => (closing = event.reason));
    socket.on('disconnect', (reason) => {
      const told = closing;
      closing = undefined;
      if (reason === 'io client disconnect') return;
      // Closed as the oldest of too many: reconnecting would close another of the user's tabs or devices.
      if (reason === 'io server disconnect' && told === 'too_many_sockets') {
        this.connectionState.set('offline');
        return;
      }
      this.connectionState.set('reconnecting');
      // Otherwise the server hangs up on purpose when the session ended (or the socket was flooding):
      // the session is checked over HTTP before reconnecting. Other drops Socket.IO retries by itself.
      if (reason === 'io server disconnect') for (const listener of this.rejectedListeners) listener();
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      if (error.data?.code === 'unauthorized') {
        for (const listener of this.rejectedListeners) listener();
        return;
      }
      this.connectionState.set('reconnecting');
      // A refusal by the server's middleware is not retried by Socket.IO; a network error is.
      if (!socket.active) setTimeout(() => socket.connect(), 2000);
    });
    socket.io.on('reconnect_attempt', () => this.connectionState.set('reconnecting'));
    return socket;
  }
}
