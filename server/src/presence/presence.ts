import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import type { Socket } from 'socket.io';
import { InFlight } from '../realtime/in-flight.js';
import { channels, roomChannelsIn, type ParleyServer } from '../realtime/publisher.js';

/** Who is online, for the directory and for watchers: those with a socket in their user channel, on any node. */
export interface Presence {
  /** Which of these users are online now. */
  onlineAmong(userIds: readonly number[]): Promise<Set<number>>;
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
/** A server-side event between nodes: "I have announced this change to those who may see it". */
const ANNOUNCED = 'parley:presence-announced';
/** A server-side request between nodes: "which of these users have a socket on your node?" */
const WHO_IS_ONLINE = 'parley:who-is-online';
const USER_CHANNEL = /^user:(\d+)$/;

/** A device as counted: its id, when it connected, and its channels (for the one that announces). */
interface Device {
  id: string;
  data: { presenceSince?: number };
  rooms: Set<string>;
}

/**
 * Presence computed from the Socket.IO adapter, so the same code serves one node and many: a user is
 * online while any socket is in their `user:<id>` channel, on any node.
 *
 * A change is announced only to those who may see it, so that it costs what they are, not what everyone is:
 * the members of the rooms the user is in (their room channels, as the user's own socket holds them), and the
 * sockets that watch the user (`presence:watch`, the channel `watch:<id>`), never the user's own devices. One
 * broadcast to those channels reaches every node, which delivers it once to each of its sockets in any of them.
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
 *   node's own sockets in their rooms (read from the store: the sockets that held them are gone) and
 *   their watch channel. Each node tells its own, so every client hears it once.
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
  /** The rooms a user is in, from the store: for the sweep, whose users' sockets are gone. */
  private roomIdsOf: (userId: number) => Promise<number[]> = async () => [];
  /** Those who never hear of a user's coming and going: a block stands between them, either way. */
  private hiddenFrom: (userId: number) => Promise<Iterable<number>> = async () => [];

  constructor(
    private readonly io: ParleyServer,
    private readonly options: PresenceOptions,
  ) {
    io.of('/').on(ANNOUNCED, (change: unknown, userId: unknown) => {
      if ((change === 'online' || change === 'offline') && typeof userId === 'number') {
        this.announcedSince.set(userId, change);
      }
    });
    io.of('/').on(WHO_IS_ONLINE, (userIds: unknown, reply: unknown) => {
      if (typeof reply !== 'function' || !Array.isArray(userIds)) return;
      reply([...this.onlineHere(userIds.filter((id): id is number => Number.isSafeInteger(id)))]);
    });
  }

  /**
   * Which of these users are online on any node: this node looks in its own channels, and asks the others
   * to look in theirs (one request through Redis, answered from memory). Should they not answer (Redis down),
   * this node's own view, which is better than no answer at all.
   */
  async onlineAmong(userIds: readonly number[]): Promise<Set<number>> {
    const online = this.onlineHere(userIds);
    if (!this.options.clustered || userIds.length === 0) return online;
    // Socket.IO types server-side events by a map this server does not declare.
    const cluster = this.io as unknown as { serverSideEmitWithAck(event: string, ...args: unknown[]): Promise<unknown[]> };
    try {
      const answers = await cluster.serverSideEmitWithAck(WHO_IS_ONLINE, userIds);
      for (const answer of answers) {
        if (Array.isArray(answer)) for (const userId of answer) if (typeof userId === 'number') online.add(userId);
      }
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not ask the other nodes who is online; answering for this node only');
    }
    return online;
  }

  /** Which of these users have a socket on this node. */
  private onlineHere(userIds: readonly number[]): Set<number> {
    const channelsHere = this.io.of('/').adapter.rooms;
    return new Set(userIds.filter((userId) => channelsHere.has(channels.user(userId))));
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

  /**
   * Call once the socket has disconnected, and so left its channels, with the channels it was in (as it
   * was disconnecting): whom its user's going offline concerns.
   */
  socketLeft(userId: number, channelsItWasIn: Iterable<string>): Promise<void> {
    return this.schedule(userId, (pending) => {
      pending.left = true;
      for (const room of roomChannelsIn(channelsItWasIn)) pending.leftRooms.add(room);
    });
  }

  /** Announcements skip, from now on, the people `hiddenFrom` names for the user who comes or goes. */
  hideFrom(hiddenFrom: (userId: number) => Promise<Iterable<number>>): void {
    this.hiddenFrom = hiddenFrom;
  }

  /** Starts the periodic sweep for users whose node died; `roomIdsOf` reads a user's rooms from the store. */
  startSweeping(roomIdsOf: (userId: number) => Promise<number[]>): void {
    this.roomIdsOf = roomIdsOf;
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
    // Who clients believe online: who was at the previous sweep, and who has been announced since.
    const believed = new Set(this.previousOnline);
    for (const [userId, change] of [...this.announcedBefore, ...this.announcedSince]) {
      if (change === 'online') believed.add(userId);
    }
    this.previousOnline = online;
    for (const userId of believed) {
      if (online.has(userId) || this.lastAnnounced(userId) === 'offline') continue;
      this.options.log.info({ userId }, 'user went offline unannounced (a node is gone?); telling local sockets');
      let roomIds: number[] = [];
      try {
        roomIds = await this.roomIdsOf(userId);
      } catch (error) {
        this.options.log.warn({ err: error, userId }, 'could not read the rooms of a user gone offline; telling their watchers only');
      }
      this.io.local
        .to([...roomIds.map(channels.room), channels.watchers(userId)])
        .except(await this.exceptFor(userId))
        .emit('user:offline', { userId });
    }
  }

  /** The last change announced for the user, by any node, in this sweep's interval or the one before. */
  private lastAnnounced(userId: number): Change | undefined {
    return this.announcedSince.get(userId) ?? this.announcedBefore.get(userId);
  }

  /** Resolves true once the presence work queued so far has finished, or false at `deadline`. */
  settled(deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    return this.work.settle(deadline);
  }

  /** Resolves once a sweep that is running has finished. */
  async sweepFinished(): Promise<void> {
    await this.sweeping;
  }

  /**
   * Tells the sockets in the user's rooms and those watching the user, on every node, but the user's own and
   * those of the people a block stands between them and the user.
   */
  private announce(change: Change, userId: number, roomChannels: Iterable<string>, except: string[]): void {
    this.io
      .to([...roomChannels, channels.watchers(userId)])
      .except(except)
      .emit(`user:${change}`, { userId });
    this.announcedSince.set(userId, change);
    if (this.options.clustered) this.io.serverSideEmit(ANNOUNCED, change, userId);
  }

  /** The channels an announcement about the user skips: their own, and those of the people hidden from them. */
  private async exceptFor(userId: number): Promise<string[]> {
    let hidden: Iterable<number> = [];
    try {
      hidden = await this.hiddenFrom(userId);
    } catch (error) {
      // Presence is not a secret worth losing everyone's dots for; a block still stops every message.
      this.options.log.warn({ err: error, userId }, 'could not read whom a user blocked; announcing to all who may see it');
    }
    return [channels.user(userId), ...[...hidden].map(channels.user)];
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
    const changes: PendingChanges = { joined: new Set(), left: false, leftRooms: new Set() };
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
    // Read before the count, never between it and the announcement: an announcement must follow its count at once,
    // or another node's later count could be announced before it, the wrong way round.
    const except = await this.exceptFor(userId);
    let devices: Device[];
    try {
      devices = await this.io.in(channels.user(userId)).fetchSockets();
    } catch (error) {
      // A device that joined is on this node, with its user's room channels.
      const joinedHere = [...changes.joined].map((id) => this.io.of('/').sockets.get(id)).find((socket) => socket !== undefined);
      if (joinedHere) {
        // Better a duplicate `user:online` than a user who looks offline while connected.
        this.options.log.warn({ err: error, userId }, 'could not count devices; announcing online anyway');
        this.announce('online', userId, roomChannelsIn(joinedHere.rooms), except);
      } else {
        // Saying offline to someone still connected would be wrong until they reconnect; the sweep
        // announces it if they are really gone.
        this.options.log.warn({ err: error, userId }, 'could not count devices; leaving it to the sweep');
      }
      return;
    }
    if (devices.length === 0) {
      // Two devices leaving during one count's look-up are both gone by its count: the next one says it again.
      if (changes.left && this.lastAnnounced(userId) !== 'offline') this.announce('offline', userId, changes.leftRooms, except);
      return;
    }
    if (changes.joined.size > 0 && devices.length > this.options.socketsPerUser) {
      const oldest = [...devices].sort((a, b) => (before(a, b) ? -1 : 1)).slice(0, devices.length - this.options.socketsPerUser);
      this.options.log.info({ userId, sockets: devices.length }, 'too many sockets for one user; closing the oldest');
      this.options.closeSockets(oldest.map((device) => device.id));
    }
    // Online is announced by the earliest device: if that is one that just joined, the user was not
    // online before it (or was, on a device that left meanwhile: a harmless repeat).
    // Its channels are the user's rooms: the earliest device joined here, and every device of a user is in them all.
    const earliest = devices.reduce((first, device) => (before(device, first) ? device : first));
    if (changes.joined.has(earliest.id)) this.announce('online', userId, roomChannelsIn(earliest.rooms), except);
  }
}

interface PendingChanges {
  /** Ids of the sockets that joined since the last count began. */
  joined: Set<string>;
  /** Whether a socket left since the last count began. */
  left: boolean;
  /** The room channels the sockets that left were in. */
  leftRooms: Set<string>;
}

function userIdsIn(rooms: Iterable<string>): Set<number> {
  const online = new Set<number>();
  for (const room of rooms) {
    const match = USER_CHANNEL.exec(room);
    if (match) online.add(Number(match[1]));
  }
  return online;
}

function before(a: Device, b: Device): boolean {
  const at = a.data.presenceSince ?? 0;
  const bt = b.data.presenceSince ?? 0;
  return at !== bt ? at < bt : a.id < b.id;
}
