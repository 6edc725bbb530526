import type { PublicUser } from '@parley/protocol';

/** Who is acting: the session's user, never anything a client claims in a payload. */
export interface Session {
  id: number;
  user: PublicUser;
  expiresAt: Date;
}
