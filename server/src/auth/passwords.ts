import bcrypt from 'bcrypt';

/** bcrypt runs on libuv's thread pool, so hashing never blocks the event loop. */
export class Passwords {
  /** A real hash to compare against when the account does not exist, so both failures cost the same time. */
  private readonly decoy: Promise<string>;

  constructor(private readonly cost: number) {
    this.decoy = bcrypt.hash('parley decoy password', cost);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  /** Compares against `hash`, or against the decoy when there is none: same work either way. */
  async verify(password: string, hash: string | null): Promise<boolean> {
    const matches = await bcrypt.compare(password, hash ?? (await this.decoy));
    return matches && hash !== null;
  }
}
