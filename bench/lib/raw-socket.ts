/**
 * The light load generator's client: Socket.IO v5 over Engine.IO v4, spoken by hand on a bare WebSocket
 * (the `ws` package), for the chat load only. socket.io-client decodes every frame into objects (the
 * whole `message:new`, author and all) and keeps a timer and a callback per ack; with 1,000 users and a
 * few thousand messages a second, that is enough to use up this machine's second core before the relay
 * reaches its own limit. This client looks at the first bytes of a frame to know what it is, and at most
 * at the message body's header (see body.ts) and an ack's outcome: it parses no JSON on the hot path.
 *
 * The frames it knows (Engine.IO packet type, then Socket.IO packet type for messages):
 * - `0{…}`: open; answered with `40{auth}` (connect to the main namespace with the handshake's auth);
 * - `40{…}`: connected; `44{…}`: the connection was refused (the message is reported);
 * - `2`: ping, answered with `3` (pong), else the server closes the socket after its ping timeout;
 * - `42["message:new",{…}]`: handed over whole to `onMessageNew`; every other event is ignored;
 * - `43<id>[{"ok":true,…}]` or `43<id>[{"ok":false,"error":{"code":"…",…}}]`: an ack, read to its outcome.
 * It sends `42<id>["message:send",{…}]`, the payload written by the caller.
 */
import WebSocket from 'ws';

const NEW_MESSAGE = Buffer.from('42["message:new",');
const ACK_OK = Buffer.from('{"ok":true');
const CODE_KEY = Buffer.from('"code":"');
const BODY_KEY = Buffer.from('"body":"');
const ROOM_ID_KEY = Buffer.from('"roomId":');
const SEQ_KEY = Buffer.from('"seq":');

export interface RawHandlers {
  /** A `message:new` frame (its bytes, unparsed). */
  onMessageNew(frame: Buffer): void;
  /** The ack of the message sent with `id`: null when it says ok, else its error code. */
  onAck(id: number, errorCode: string | null): void;
  /** The socket closed, other than through `close()`. */
  onClose(): void;
}

/** Where the body's text starts in a `message:new` frame, or -1. */
export function bodyOffset(frame: Buffer): number {
  const at = frame.indexOf(BODY_KEY, NEW_MESSAGE.length);
  return at < 0 ? -1 : at + BODY_KEY.length;
}

/** The whole number written at `from` in `frame`, or -1 when no digit is there. */
function readNumber(frame: Buffer, from: number): number {
  let n = 0;
  let i = from;
  for (; i < frame.length && frame[i]! >= 0x30 && frame[i]! <= 0x39; i++) n = n * 10 + frame[i]! - 0x30;
  return i === from ? -1 : n;
}

/**
 * The room and seq of a `message:new` frame, read from its bytes (for the order check of `--two-nodes` only):
 * the message's own keys come before its author's, which has neither; null when either is missing.
 */
export function readRoomSeq(frame: Buffer): { roomId: number; seq: number } | null {
  const r = frame.indexOf(ROOM_ID_KEY, NEW_MESSAGE.length);
  const s = frame.indexOf(SEQ_KEY, NEW_MESSAGE.length);
  if (r < 0 || s < 0) return null;
  const roomId = readNumber(frame, r + ROOM_ID_KEY.length);
  const seq = readNumber(frame, s + SEQ_KEY.length);
  return roomId < 0 || seq < 0 ? null : { roomId, seq };
}

/** The id and outcome of an ack frame (`43<id>[…]`): error null when it says ok; null for any other frame. */
export function readAck(frame: Buffer): { id: number; error: string | null } | null {
  if (frame[0] !== 0x34 || frame[1] !== 0x33) return null;
  let id = 0;
  let i = 2;
  for (; i < frame.length && frame[i]! >= 0x30 && frame[i]! <= 0x39; i++) id = id * 10 + frame[i]! - 0x30;
  if (i === 2 || frame[i] !== 0x5b /* [ */) return null;
  if (frame.compare(ACK_OK, 0, ACK_OK.length, i + 1, i + 1 + ACK_OK.length) === 0) return { id, error: null };
  const at = frame.indexOf(CODE_KEY, i);
  if (at < 0) return { id, error: 'bad ack' };
  const from = at + CODE_KEY.length;
  const to = frame.indexOf(0x22 /* " */, from);
  return { id, error: to < 0 ? 'bad ack' : frame.toString('latin1', from, to) };
}

export class RawSocket {
  private closing = false;

  private constructor(
    private readonly ws: WebSocket,
    handlers: RawHandlers,
  ) {
    ws.on('message', (frame: Buffer) => {
      const c0 = frame[0];
      if (c0 === 0x34 /* 4: message */) {
        if (frame[1] === 0x32 /* 2: event */) {
          if (frame.compare(NEW_MESSAGE, 0, NEW_MESSAGE.length, 0, NEW_MESSAGE.length) === 0) handlers.onMessageNew(frame);
        } else if (frame[1] === 0x33 /* 3: ack */) {
          const ack = readAck(frame);
          if (ack) handlers.onAck(ack.id, ack.error);
        }
      } else if (c0 === 0x32 /* 2: ping */) ws.send('3');
    });
    ws.on('close', () => {
      if (!this.closing) handlers.onClose();
    });
  }

  /**
   * Opens the WebSocket, waits for Engine.IO's open packet, connects to the main namespace with `auth`
   * (Parley: `{token}`; the relay: `{rooms, user}`) and resolves once the server has accepted it.
   */
  static connect(baseUrl: string, auth: unknown, handlers: RawHandlers, timeoutMs: number): Promise<RawSocket> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      // Frames come from our own server over loopback; checking their UTF-8 is work no test here needs.
      skipUTF8Validation: true,
      // A zero mask makes ws skip masking each frame (RFC 6455 asks browsers for a random one; this is a
      // load generator on loopback, and the server unmasks the same either way).
      generateMask: (mask) => mask.fill(0),
    });
    return new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error('connect timed out')), timeoutMs);
      ws.once('error', fail);
      ws.once('close', () => fail(new Error('closed before connecting')));
      const onHandshake = (frame: Buffer) => {
        const c0 = frame[0];
        if (c0 === 0x30 /* 0: open */) ws.send(`40${JSON.stringify(auth)}`);
        else if (c0 === 0x32 /* 2: ping */) ws.send('3');
        else if (c0 === 0x34 && frame[1] === 0x30 /* 40: connected */) {
          clearTimeout(timer);
          ws.removeAllListeners();
          ws.on('error', () => {});
          resolve(new RawSocket(ws, handlers));
        } else if (c0 === 0x34 && frame[1] === 0x34 /* 44: refused */) {
          const refusal = JSON.parse(frame.toString('utf8', 2)) as { message?: string };
          fail(new Error(refusal.message ?? 'connection refused'));
        }
      };
      ws.on('message', onHandshake);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends `42<id>["message:send",<payload>]`; `payload` is the JSON text of the message. */
  sendMessage(id: number, payload: string): void {
    this.ws.send(`42${id}["message:send",${payload}]`);
  }

  close(): void {
    this.closing = true;
    this.ws.close();
  }
}
