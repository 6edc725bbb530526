import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';

type Frame = (Buffer | string)[];
type Sent = (error?: Error) => void;
/** ws's frame writer: every frame ws or engine.io sends to one socket goes through its `sendFrame`. */
interface Sender {
  sendFrame(frame: Frame, sent?: Sent): void;
}

/** ws's own `setSocket` (not in its typings), which creates the socket's `Sender`. */
const setSocket = (WebSocket.prototype as unknown as { setSocket(socket: Duplex, head: Buffer, options: object): void }).setSocket;

/** Sockets whose writes are held (corked) until the end of this turn of the event loop. */
const held = new Set<Duplex>();

function releaseAll(): void {
  for (const socket of held) socket.uncork();
  held.clear();
}

/**
 * A WebSocket whose frames sent during one turn of the event loop go out in one system call. Writing to
 * a socket is most of the server's time under load (each `writev` to a client also wakes it), and a
 * message often sends two frames to one socket at once: its own `message:new` and its ack to the
 * sender; past a few thousand messages a second, one group commit's messages send several to each
 * member. So the first frame of a turn corks the socket, and the end of the turn (`setImmediate`,
 * after the poll phase that made them) uncorks every held socket: one `writev` each.
 *
 * engine.io sends a socket's next packets only once its previous write has called back, which would
 * hold them for a turn of their own; so a held frame calls back as soon as it is queued, on the next
 * tick. What the write's callback no longer reports, a failed write, still closes the socket through
 * its `error` event, and a slow client's frames wait in the socket's buffer instead of engine.io's.
 */
class CoalescingWebSocket extends WebSocket {
  setSocket(socket: Duplex, head: Buffer, options: object): void {
    setSocket.call(this, socket, head, options);
    const sender = (this as unknown as { _sender: Sender })._sender;
    const write = sender.sendFrame.bind(sender);
    sender.sendFrame = (frame, sent) => {
      if (!held.has(socket)) {
        if (held.size === 0) setImmediate(releaseAll);
        socket.cork();
        held.add(socket);
      }
      write(frame);
      if (sent) process.nextTick(sent);
    };
  }
}

/** ws's server, with `CoalescingWebSocket`: Socket.IO's `wsEngine`. */
export class CoalescingWebSocketServer extends WebSocketServer {
  constructor(options: ServerOptions, callback?: () => void) {
    super({ ...options, WebSocket: CoalescingWebSocket }, callback);
  }
}
