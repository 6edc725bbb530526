/** Shapes shared by the bench's processes (orchestrator, server hosts, load workers). */

export interface Usage {
  cpu: NodeJS.CpuUsage;
  /** The event loop's cumulative busy and idle time, ms (performance.eventLoopUtilization()). */
  elu: { active: number; idle: number };
  memory: NodeJS.MemoryUsage;
  /** performance.timeOrigin + performance.now(), in ms. */
  at: number;
}

/** A simulated chat user, as a load worker needs it. */
export interface ChatUser {
  index: number;
  userId: number;
  username: string;
  token: string;
  /** Display fields, for the relay (which has no database). */
  firstName: string;
  lastName: string;
  group: { roomId: number; members: number };
  dm: { roomId: number; members: number };
}

/** A user who only connects (idle scenario). */
export interface IdleUser {
  userId: number;
  username: string;
  token: string;
  roomIds: number[];
}

export type Target = 'parley' | 'relay';

/**
 * Who speaks for the chat users: `ws`, raw Socket.IO frames on a bare WebSocket (lib/raw-socket.ts), or
 * `sio`, socket.io-client.
 */
export type Generator = 'ws' | 'sio';

/**
 * A delivery later than this after its emit does not count as in time: at twice the saturation rate,
 * every acknowledged message must reach every member within it.
 */
export const DELIVERY_DEADLINE_MS = 5000;

/** An ack's outcome, per measured message; a message with neither was not answered by the time of collection. */
export const ACK_OK = 1;
export const ACK_REFUSED = 2;

export interface StepSpec {
  step: number;
  /** This worker's share of the offered rate, messages per second. */
  rate: number;
  warmupMs: number;
  measureMs: number;
  /** Share of the messages sent to the sender's direct room rather than its group room. */
  dmShare: number;
  /** Characters of filler in each body, after the timing header. */
  padding: number;
}

export interface SendReport {
  /** Messages sent in the measured window, and the deliveries they call for (room members, sender included). */
  sent: number;
  expected: number;
  /** All messages sent, warm-up included. */
  sentTotal: number;
  /** The largest share of one socket's events-per-second budget used. */
  perSocketRate: number;
  /** This process's CPU over the measured window, and the window's length. */
  cpu: NodeJS.CpuUsage;
  elapsedMs: number;
}

export interface StepStatus {
  received: number;
  acksOk: number;
  acksFailed: number;
  /** Deliveries that the refused messages would have owed: none are coming. */
  owedRefused: number;
  /** Acks still awaited for every message this worker sent, whatever the step. */
  outstanding: number;
  /** Chat sockets of this worker that the server closed since they connected. */
  socketsClosed: number;
}

export interface StepCollect {
  worker: number;
  /** Sender's emit to each recipient's `message:new`, ms, measured messages only. */
  latencies: Float64Array;
  /** Sender's emit to its ack, ms, measured messages only. */
  ackLatencies: Float64Array;
  received: number;
  acksOk: number;
  acksFailed: number;
  owedRefused: number;
  /** Refused messages by error code. */
  errors: Record<string, number>;
  /** By the number of each measured message this worker sent: its room's members, and its ack's outcome (ACK_OK, ACK_REFUSED or 0). */
  members: Uint16Array;
  outcomes: Uint16Array;
  /** By sending worker, then by message number: deliveries this worker received within DELIVERY_DEADLINE_MS. */
  onTime: Uint16Array[];
}

/** What the worker's `pageWalks` returns: each walk of a paged list to its end, and each page of them. */
export interface PageWalks {
  walkMs: Float64Array;
  pageMs: Float64Array;
  pagesPerWalk: number;
  itemsPerWalk: number;
  maxPageBytes: number;
  failed: number;
  errors: Record<string, number>;
  cpu: NodeJS.CpuUsage;
}
