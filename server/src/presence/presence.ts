import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import { InFlight } from '../realtime/in-flight.js';
import { channels, type ParleyServer } from '../realtime/publisher.js';

/** Who is online, for the directory: everyone with a socket in their user channel, on any node. */
export interface Presence {
  onlineUserIds(): Promise<Set<number>>;
}

export interface PresenceOptions {
  /** How often this node looks for users who went offline without anyone saying so (a dead node). */
  sweepIntervalMs: number;
  /** True when other nodes share the adapter: announcements are then told to them too. */
  clustered: boolean;
  log: FastifyBaseLogger;
  /** Sockets one user may have on all nodes together; the oldest beyond it are handed to `closeSockets`. */
  socketsPerUser: number;
  closeSockets: (socketIds: string[]) => void;
}

type Change = 'online' | 'offline';
/** A server-side event between nodes: "I have announced this change to every client". */
const ANNOUNCED = 'parley:presence-announced';
const USER_CHANNEL = /^user:(\d+)$/;

/**
 * Presence computed from the Socket.IO adapter, so the same code serves one node and many: a user is
 * online while any socket is in their `user:<id>` channel, on any node.
 *
 * - After a socket has joined its channels, the user's sockets are fetched cluster-wide; the socket
 *   that connected earliest among them announces `user:online`. Alone, that is "the count is 1"; when
 *   two devices connect at once on two nodes, both see both, and exactly one of them is the earliest,
 *   so the announcement is neither lost nor (with clocks in step) doubled.
 * - After a socket has disconnected (and so left its channels), they are counted again: at 0,
 *   `user:offline`. When the last two devices leave at once on two nodes, the later count sees 0.
 * - A node that dies takes its Redis subscription with it, and the others stop counting its sockets,
 *   but nobody announces anything. So every node sweeps periodically: users who were online at its
 *   previous sweep or announced online since, who are not online now, and whose going offline nobody
 *   announced since (nodes tell each other what they announce), are announced `user:offline` to this
 *   node's own sockets. Each node tells its own, so every client hears it once.
 *
 * The counts for one user on one node run in order, so a quick connect and disconnect cannot be
 * announced the wrong way round, and changes that happen while one waits share the next one.
 *
 * The same count caps a user's sockets: beyond `socketsPerUser`, the earliest are closed. Two nodes
 * counting at once pick the same ones (closing is idempotent), and many devices connecting at once
 * share one count.
 */
export class AdapterPresence implements Presence {
  /** Per user, the last count queued on this node, and the one not yet started, with its changes. */
  private readonly queues = new Map<number, Promise<void>>();
  private readonly pending = new Map<number, { changes: PendingChanges; done: Promise<void> }>();
  private readonly work = new InFlight();
  /** The last change announced (by any node) per user since the previous sweep began, and since this one. */
  private announcedBefore = new Map<number, Change>();
  private announcedSince = new Map<number, Change>();
  private previousOnline: Set<number> | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private lastSince = 0;

  constructor(
    private readonly io: ParleyServer,
    private readonly options: PresenceOptions,
  ) {
    io.of('/').on(ANNOUNCED, (change: unknown, userId: unknown) => {
      if ((change === 'online' || change === 'offline') && typeof userId === 'number') {
        this.announcedSince.set(userId, change);
      }
    });
  }

  /**
   * Everyone online on any node. Should the other nodes not answer (Redis down), this node's own view,
   * which is better than no directory at all.
   */
  async onlineUserIds(): Promise<Set<number>> {
    try {
      return await this.clusterOnlineUserIds();
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not ask the other nodes who is online; answering for this node only');
      return userIdsIn(this.io.of('/').adapter.rooms.keys());
    }
  }

  /** Everyone online on any node; rejects when the other nodes cannot be asked. */
  private async clusterOnlineUserIds(): Promise<Set<number>> {
    const adapter: { rooms: Map<string, unknown>; allRooms?: () => Promise<Set<string>> } = this.io.of('/').adapter;
    // The Redis adapter answers for every node; the in-memory one knows only its own rooms.
    return userIdsIn(adapter.allRooms ? await adapter.allRooms() : adapter.rooms.keys());
  }

  /** Call once the socket is in its user's channel. */
  socketJoined(socket: Socket, userId: number): Promise<void> {
    // When it connected, to order the devices of one user; strictly increasing on this node.
    this.lastSince = Math.max(performance.timeOrigin + performance.now(), this.lastSince + 0.001);
    socket.data.presenceSince = this.lastSince;
    return this.schedule(userId, (pending) => pending.joined.add(socket.id));
  }

  /** Call once the socket has disconnected, and so left its channels. */
  socketLeft(userId: number): Promise<void> {
    return this.schedule(userId, (pending) => {
      pending.left = true;
    });
  }

  /** Starts the periodic sweep for users whose node died. */
  startSweeping(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => {
      if (this.sweeping) return; // the previous one is still waiting for other nodes
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.options.log.warn({ err: error }, 'presence sweep failed'))
        .finally(() => {
          this.sweeping = undefined;
        });
    }, this.options.sweepIntervalMs).unref();
  }

  stopSweeping(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** One sweep; exposed for tests. */
  async sweep(): Promise<void> {
    // An announcement that arrives while this sweep waits for the other nodes may concern a change this
    // sweep sees or one it does not: both this interval's and the previous one's are consulted.
    this.announcedBefore = this.announcedSince;
    this.announcedSince = new Map();
    const online = await this.clusterOnlineUserIds();
    const lastAnnounced = (userId: number) => this.announcedSince.get(userId) ?? this.announcedBefore.get(userId);
    // Who clients believe online: who was at the previous sweep, and who has been announced since.
    const believed = new Set(this.previousOnline);
    for (const [userId, change] of [...this.announcedBefore, ...this.announcedSince]) {
      if (change === 'online') believed.add(userId);
    }
    this.previousOnline = online;
    for (const userId of believed) {
      if (online.has(userId) || lastAnnounced(userId) === 'offline') continue;
      this.options.log.info({ userId }, 'user went offline unannounced (a node is gone?); telling local sockets');
      this.io.local.emit('user:offline', { userId });
    }
  }

  /** Resolves true once the presence work queued so far has finished, or false at `deadline`. */
  settled(deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    return this.work.settle(deadline);
  }

  /** Resolves once a sweep that is running has finished. */
  async sweepFinished(): Promise<void> {
    await this.sweeping;
  }

  private announce(change: Change, userId: number): void {
    this.io.emit(`user:${change}`, { userId });
    this.announcedSince.set(userId, change);
    if (this.options.clustered) this.io.serverSideEmit(ANNOUNCED, change, userId);
  }

  /**
   * Notes a change for a user and makes sure one count is queued for them: changes that arrive before
   * it starts share it, so a hundred devices leaving at once cost one count and one announcement.
   */
  private schedule(userId: number, note: (pending: PendingChanges) => void): Promise<void> {
    const waiting = this.pending.get(userId);
    if (waiting) {
      note(waiting.changes);
      return waiting.done;
    }
    const changes: PendingChanges = { joined: new Set(), left: false };
    note(changes);
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const done = previous
      .then(() => {
        // From here on, new changes need a new count: this one may already have missed them.
        this.pending.delete(userId);
        return this.count(userId, changes);
      })
      .catch((error: unknown) => {
        this.options.log.error({ err: error, userId }, 'presence update failed');
      });
    this.pending.set(userId, { changes, done });
    this.queues.set(userId, done);
    this.work.track(done);
    void done.then(() => {
      if (this.queues.get(userId) === done) this.queues.delete(userId);
    });
    return done;
  }

  /** Counts a user's sockets on every node and announces what the changes noted imply. */
  private async count(userId: number, changes: PendingChanges): Promise<void> {
    let devices: { id: string; data: { presenceSince?: number } }[];
    try {
      devices = await this.io.in(channels.user(userId)).fetchSockets();
    } catch (error) {
      if (changes.joined.size > 0) {
        // Better a duplicate `user:online` than a user who looks offline while connected.
        this.options.log.warn({ err: error, userId }, 'could not count devices; announcing online anyway');
        this.announce('online', userId);
      } else {
        // Saying offline to someone still connected would be wrong until they reconnect; the sweep
        // announces it if they are really gone.
        this.options.log.warn({ err: error, userId }, 'could not count devices; leaving it to the sweep');
      }
      return;
    }
    if (devices.length === 0) {
      if (changes.left) this.announce('offline', userId);
      return;
    }
    if (changes.joined.size > 0 && devices.length > this.options.socketsPerUser) {
      const oldest = [...devices].sort((a, b) => (before(a, b) ? -1 : 1)).slice(0, devices.length - this.options.socketsPerUser);
      this.options.log.info({ userId, sockets: devices.length }, 'too many sockets for one user; closing the oldest');
      this.options.closeSockets(oldest.map((device) => device.id));
    }
    // Online is announced by the earliest device: if that is one that just joined, the user was not
    // online before it (or was, on a device that left meanwhile: a harmless repeat).
    const earliest = devices.reduce((first, device) => (before(device, first) ? device : first));
    if (changes.joined.has(earliest.id)) this.announce('online', userId);
  }
}

interface PendingChanges {
  /** Ids of the sockets that joined since the last count began. */
  joined: Set<string>;
  /** Whether a socket left since the last count began. */
  left: boolean;
}

function userIdsIn(rooms: Iterable<string>): Set<number> {
  const online = new Set<number>();
  for (const room of rooms) {
    const match = USER_CHANNEL.exec(room);
    if (match) online.add(Number(match[1]));
  }
  return online;
}

function before(a: { id: string; data: { presenceSince?: number } }, b: { id: string; data: { presenceSince?: number } }): boolean {
  const at = a.data.presenceSince ?? 0;
  const bt = b.data.presenceSince ?? 0;
  return at !== bt ? at < bt : a.id < b.id;
}
