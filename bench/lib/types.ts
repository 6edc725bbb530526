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
  cpu: NodeJS.CpuUsage;
  elapsedMs: number;
}

export interface StepStatus {
  received: number;
  acksOk: number;
  acksFailed: number;
  /** Acks still awaited for every message this worker sent, whatever the step. */
  outstanding: number;
}

export interface StepCollect {
  /** Sender's emit to each recipient's `message:new`, ms, measured messages only. */
  latencies: Float64Array;
  /** Sender's emit to its ack, ms, measured messages only. */
  ackLatencies: Float64Array;
  received: number;
  acksOk: number;
  acksFailed: number;
  errors: Record<string, number>;
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
