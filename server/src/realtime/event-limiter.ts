import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface EventLimits {
  socketEventsPerSecond: number;
  userEventsPerSecond: number;
}

/**
 * The event budget of every socket, and of every user over all their sockets on this node. Both are
 * in memory and keyed by id, so an idle socket or user costs nothing here, and checking an event
 * costs two map updates: no database, no network.
 */
export class EventLimiter {
  private readonly perSocket: RateLimiterMemory;
  private readonly perUser: RateLimiterMemory;

  constructor(limits: EventLimits) {
    this.perSocket = new RateLimiterMemory({ points: limits.socketEventsPerSecond, duration: 1 });
    this.perUser = new RateLimiterMemory({ points: limits.userEventsPerSecond, duration: 1 });
  }

  /**
   * Charges `cost` points to the socket and to its user; false when either budget is spent. A refused
   * event is still charged, so that a client which does not slow down stays refused.
   */
  async allows(socketId: string, userId: number, cost: number): Promise<boolean> {
    try {
      await Promise.all([this.perSocket.consume(socketId, cost), this.perUser.consume(userId, cost)]);
      return true;
    } catch (error) {
      if (error instanceof RateLimiterRes) return false;
      throw error;
    }
  }
}
