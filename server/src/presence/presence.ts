/**
 * Who is online: a count of connected devices per user. A user is online from their first socket
 * to their last. Async so that a shared, multi-node tracker can take its place.
 */
export interface Presence {
  /** Records a device; true when it is the user's first. */
  connect(userId: number): Promise<boolean>;
  /** Forgets a device; true when it was the user's last. */
  disconnect(userId: number): Promise<boolean>;
  onlineUserIds(): Promise<Set<number>>;
}

export class LocalPresence implements Presence {
  private readonly devices = new Map<number, number>();

  async connect(userId: number): Promise<boolean> {
    const count = (this.devices.get(userId) ?? 0) + 1;
    this.devices.set(userId, count);
    return count === 1;
  }

  async disconnect(userId: number): Promise<boolean> {
    const count = (this.devices.get(userId) ?? 0) - 1;
    if (count > 0) {
      this.devices.set(userId, count);
      return false;
    }
    return this.devices.delete(userId);
  }

  async onlineUserIds(): Promise<Set<number>> {
    return new Set(this.devices.keys());
  }
}
